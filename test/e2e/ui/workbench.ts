// Drives the VS Code workbench that code-server serves (VS Code 1.100; selectors are pinned to it).
import type { FrameLocator, Locator, Page } from 'playwright-core';

/** Mime type of a successful cell run and the error mime VS Code renders itself. */
export const RUN_MIME = 'application/vnd.consensus-notebook.run+json';

export class Workbench {
  constructor(
    readonly page: Page,
    readonly url: string,
  ) {}

  /** Loads the workbench and waits until it is usable. */
  async open(): Promise<void> {
    await this.page.goto(this.url);
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
    // The explorer lists the folder once the remote connection and file service are up.
    await this.page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 90_000 });
  }

  /** Opens a file of the workspace with Quick Open (Ctrl+P). */
  async quickOpen(fileName: string): Promise<void> {
    await this.page.keyboard.press('Control+P');
    const input = this.quickInput.locator('input.input');
    await input.waitFor();
    await input.fill(fileName);
    await this.quickInput
      .locator('.monaco-list-row', { hasText: fileName })
      .first()
      .waitFor({ timeout: 30_000 });
    await this.page.keyboard.press('Enter');
    await this.page
      .locator('.tab.active', { hasText: fileName })
      .waitFor({ timeout: 30_000 });
  }

  /** Runs a command from the command palette (F1) by its label, e.g. "Notebook: Run All". */
  async runCommand(label: string): Promise<void> {
    await this.page.keyboard.press('F1');
    const input = this.quickInput.locator('input.input');
    await input.waitFor();
    await input.fill(`>${label}`);
    await this.quickInput
      .locator('.monaco-list-row', { hasText: label })
      .first()
      .waitFor({ timeout: 15_000 });
    await this.page.keyboard.press('Enter');
  }

  get quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  /** The visible notebook editor. */
  get notebook(): Locator {
    return this.page.locator('.notebook-editor').filter({ visible: true }).first();
  }

  /** Waits for the active notebook editor to show its cells. */
  async waitForNotebook(): Promise<void> {
    // Notebook list rows count as hidden for Playwright (zero-height wrappers), so wait for attachment.
    await this.notebook.locator('.cell-list-container .monaco-list-row').first().waitFor({ state: 'attached', timeout: 30_000 });
  }

  /** Clicks the notebook toolbar's Run All button. */
  async runAll(): Promise<void> {
    const button = this.notebook.locator('.notebook-toolbar-container a.action-label[aria-label="Run All"]');
    await button.waitFor({ timeout: 30_000 });
    await button.click();
  }

  /**
   * The DOM of the visible notebook's output webview, where renderers draw: two frames down.
   * Hidden notebook editors keep their webviews, so only the visible one is searched.
   */
  get outputFrame(): FrameLocator {
    return this.notebook.locator('iframe.webview').frameLocator('#active-frame');
  }

  /** Fails fast when Run All asks for a kernel instead of running (the controller must be preferred). */
  async assertNoKernelPicker(): Promise<void> {
    const picker = this.quickInput.filter({ visible: true }).filter({ hasText: /kernel/i });
    if (await picker.count()) {
      throw new Error('Run All opened a kernel picker: the controller is not the preferred kernel');
    }
  }

  /** Closes all editors, answering "Don't Save" if the workbench asks. */
  async closeAllEditors(): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.runCommand('View: Close All Editors');
    const dontSave = this.page.locator('.monaco-dialog-box .monaco-button', { hasText: "Don't Save" });
    try {
      await dontSave.first().click({ timeout: 1_500 });
    } catch {
      // No dialog: nothing was dirty.
    }
    await this.page.waitForFunction('document.querySelectorAll(".editor-group-container .tab").length === 0', undefined, {
      timeout: 10_000,
    });
  }
}
