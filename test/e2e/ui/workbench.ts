// Drives the VS Code workbench that code-server serves (VS Code 1.100; selectors are pinned to it).
import type { FrameLocator, Locator, Page } from 'playwright-core';

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

  /**
   * The visible notebook editor. Each notebook editor widget is an overlay on the editor area
   * (`.notebookOverlay.notebook-editor`, holding the toolbar, cells and output webview); the
   * overlays of other open notebooks stay in the DOM with visibility: hidden.
   */
  get notebook(): Locator {
    return this.page.locator('.notebookOverlay.notebook-editor').filter({ visible: true }).first();
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
    await this.moveMouseAway();
  }

  /** Moves the mouse off the toolbars, so no hover tooltip covers a screenshot. */
  async moveMouseAway(): Promise<void> {
    const viewport = this.page.viewportSize();
    await this.page.mouse.move((viewport?.width ?? 1600) - 5, (viewport?.height ?? 1000) / 2);
  }

  /**
   * Scrolls the notebook until the top of an element of its output webview is near the top of the
   * cell list (or the whole element is in view). The webview spans all the cells and scrolls with the
   * list, so the list has to scroll: scrolling the element into view inside its frame does nothing.
   * The workbench scrolls about 50 px per wheel event, whatever its delta.
   */
  async revealInNotebook(target: Locator): Promise<void> {
    const list = await this.notebook.locator('.cell-list-container').boundingBox();
    if (!list) throw new Error('the notebook cell list is not visible');
    await this.page.mouse.move(list.x + list.width / 2, list.y + list.height / 2);
    for (let i = 0; i < 400; i++) {
      const box = await target.boundingBox();
      if (!box) throw new Error('the element to reveal has no layout box');
      const offset = box.y - (list.y + 10);
      const inView = box.y >= list.y && box.y + box.height <= list.y + list.height;
      if (inView || Math.abs(offset) < 60) break;
      await this.page.mouse.wheel(0, Math.sign(offset) * 50);
    }
    await this.moveMouseAway();
    await this.page.waitForTimeout(500); // let the scrollbar fade
  }

  /** Saves a screenshot of an element of the output webview, clipped to the visible cell list. */
  async screenshotInNotebook(target: Locator, file: string): Promise<void> {
    // Playwright's element screenshot mis-places elements two frames down: clip a page screenshot.
    await this.revealInNotebook(target);
    const box = await target.boundingBox();
    const list = await this.notebook.locator('.cell-list-container').boundingBox();
    if (!box || !list) throw new Error('the element or the notebook has no layout box');
    const top = Math.max(box.y, list.y);
    const bottom = Math.min(box.y + box.height, list.y + list.height);
    const left = Math.max(box.x, list.x);
    const right = Math.min(box.x + box.width, list.x + list.width);
    if (bottom <= top || right <= left) throw new Error('the element is not in view');
    await this.page.screenshot({ path: file, clip: { x: left, y: top, width: right - left, height: bottom - top } });
  }

  /**
   * The DOM of the visible notebook's output webview, where renderers draw: two frames down.
   * Hidden notebook editors keep their webviews, so only the visible one is searched.
   */
  get outputFrame(): FrameLocator {
    return this.notebook.frameLocator('iframe.webview').frameLocator('#active-frame');
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
