// Drives the VS Code workbench that code-server serves (VS Code 1.100; selectors are pinned to it).
import type { FrameLocator, Locator, Page } from 'playwright-core';

// A browser global used by a function Playwright runs in the page (the project's lib has no DOM).
declare const WheelEvent: new (type: string, init: object) => Event;

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
    // Click the row of exactly that file: pressing Enter could pick the first row of a list that has
    // not caught up with the filter yet (recently opened files), or a longer name that matches too.
    const row = this.quickInput
      .locator('.monaco-list-row')
      .filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(fileName)}$`) }) })
      .first();
    await row.waitFor({ timeout: 30_000 });
    await row.click();
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
    // The row whose label starts with the text (the first row may be another command that merely
    // contains it, e.g. "Developer: Generate Color Theme …" for "Preferences: Color Theme").
    const row = this.quickInput.locator('.monaco-list-row', { hasText: new RegExp(`^${escapeRegExp(label)}`) }).first();
    await row.waitFor({ timeout: 15_000 });
    await row.click();
  }

  get quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  /**
   * Answers a save dialog. In code-server, showSaveDialog is VS Code's "simple file dialog": a quick
   * input holding the proposed path, which it fills in (and completes as one types) asynchronously.
   * So: wait until the proposed path has settled, replace the whole path (fill, not typing), check the
   * dialog left it alone, and accept with Enter. If the file exists the workbench asks whether to
   * replace it, and the answer is yes.
   */
  async answerSaveDialog(file: string): Promise<void> {
    const widget = this.quickInput.filter({ visible: true });
    const input = widget.locator('input.input');
    await input.waitFor({ timeout: 30_000 });
    let last = '';
    for (let stable = 0, i = 0; stable < 3 && i < 100; i++) {
      await this.page.waitForTimeout(100);
      const value = await input.inputValue();
      stable = value !== '' && value === last ? stable + 1 : 0;
      last = value;
    }
    let value = '';
    for (let attempt = 0; attempt < 5 && value !== file; attempt++) {
      await input.fill(file);
      await this.page.waitForTimeout(300);
      value = await input.inputValue();
    }
    if (value !== file) throw new Error(`the save dialog keeps changing the path: ${value} (wanted ${file})`);
    await this.page.keyboard.press('Enter');
    const replace = this.page.locator('.monaco-dialog-box .monaco-button', { hasText: 'Replace' });
    try {
      await replace.first().click({ timeout: 1_000 });
    } catch {
      // The file was new.
    }
    try {
      await widget.waitFor({ state: 'hidden', timeout: 10_000 });
    } catch {
      const message = await widget.locator('.quick-input-message').textContent().catch(() => '');
      throw new Error(`the save dialog did not accept ${file}: ${message || '(no message)'}; it holds ${await input.inputValue().catch(() => '?')}`);
    }
  }

  /** Picks a colour theme with "Preferences: Color Theme" (the picker previews, Enter keeps it). */
  async setColorTheme(label: string): Promise<void> {
    await this.runCommand('Preferences: Color Theme');
    const input = this.quickInput.locator('input.input');
    await input.waitFor();
    await input.fill(label);
    const row = this.quickInput.locator('.monaco-list-row', { hasText: new RegExp(`^${escapeRegExp(label)}`) }).first();
    await row.waitFor({ timeout: 15_000 });
    await row.click();
    await this.quickInput.filter({ visible: true }).waitFor({ state: 'hidden', timeout: 10_000 });
  }

  /** The class list of the workbench's root element (vs, vs-dark, hc-black, ...). */
  async themeKind(): Promise<string> {
    return (await this.page.locator('.monaco-workbench').getAttribute('class')) ?? '';
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
    await this.clickToolbar('Run All');
  }

  /**
   * Clicks the notebook toolbar's Clear All Outputs button. It is disabled while there are no outputs:
   * then this does nothing, unless outputs are expected (`expectOutputs`), when it waits for the button
   * to be enabled (it follows the end of a run with a delay).
   */
  async clearAllOutputs(expectOutputs = false): Promise<void> {
    const button = this.notebook.locator('.notebook-toolbar-container a.action-label[aria-label="Clear All Outputs"]');
    await button.waitFor({ timeout: 30_000 });
    if (expectOutputs) {
      await this.notebook
        .locator('.notebook-toolbar-container a.action-label[aria-label="Clear All Outputs"]:not(.disabled)')
        .waitFor({ timeout: 30_000 });
    } else if ((await button.getAttribute('aria-disabled')) === 'true') {
      return;
    }
    await this.clickToolbar('Clear All Outputs');
  }

  /** Clicks a button of the notebook toolbar by its label (e.g. "Run All", "Export as Markdown"). */
  async clickToolbar(label: string): Promise<void> {
    const button = this.notebook.locator(`.notebook-toolbar-container a.action-label[aria-label="${label}"]`);
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
  async revealInNotebook(target: Locator, where: 'top' | 'middle' = 'top'): Promise<boolean> {
    const list = await this.notebook.locator('.cell-list-container').boundingBox();
    if (!list) throw new Error('the notebook cell list is not visible');
    let scrolled = false;
    let lastY: number | null = null;
    for (let round = 0; round < 40; round++) {
      const box = await target.boundingBox();
      if (!box) throw new Error('the element to reveal has no layout box');
      if (box.y === lastY) break; // the list cannot scroll further that way
      lastY = box.y;
      let offset: number;
      if (where === 'middle') {
        // Well inside the list, clear of the notebook toolbar and the sticky cell headers at its top.
        offset = box.y + box.height / 2 - (list.y + list.height / 2);
        if (Math.abs(offset) < 60) break;
      } else {
        offset = box.y - (list.y + 10);
        const inView = box.y >= list.y && box.y + box.height <= list.y + list.height;
        if (inView || Math.abs(offset) < 60) break;
      }
      scrolled = true;
      await this.scrollNotebook(Math.round(offset), 50);
    }
    if (scrolled) await this.moveMouseAway();
    return scrolled;
  }

  /**
   * Scrolls the notebook's cell list by `px` (down when positive) with one synthetic wheel event, then
   * waits `settleMs`. Monaco reads Chrome's legacy wheelDeltaY (120 per notch) and scrolls 50 px per
   * notch, so real wheel events through Playwright scroll 50 px each whatever their delta; a synthetic
   * one can carry any distance.
   */
  async scrollNotebook(px: number, settleMs = 100): Promise<void> {
    await this.notebook
      .locator('.cell-list-container > .monaco-list > .monaco-scrollable-element')
      .first()
      .evaluate((el, d) => {
        el.dispatchEvent(new WheelEvent('wheel', { deltaY: d, deltaMode: 0, bubbles: true, cancelable: true, wheelDeltaY: Math.round((-d * 120) / 50) }));
      }, px);
    await this.page.waitForTimeout(settleMs);
  }

  /** Clicks an element of the output webview, scrolling the notebook to it first. */
  async clickInNotebook(target: Locator): Promise<void> {
    await this.revealInNotebook(target, 'middle');
    await target.click();
    await this.moveMouseAway();
  }

  /** Saves a screenshot of an element of the output webview, clipped to the visible cell list. */
  async screenshotInNotebook(target: Locator, file: string): Promise<void> {
    // Playwright's element screenshot mis-places elements two frames down: clip a page screenshot.
    if (await this.revealInNotebook(target)) await this.page.waitForTimeout(500); // let the scrollbar fade
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

  /**
   * The text of an output channel (View > Output), e.g. the extension's own log or VS Code's
   * "Extension Host (Worker)": shown with "Output: Show Output Channels...", read from the panel's
   * editor (its visible lines, in order, wrapped lines joined, whitespace collapsed). The panel is
   * hidden again unless `keepOpen` (then call hidePanel()).
   */
  async outputChannel(name: string, keepOpen = false): Promise<string> {
    await this.runCommand('Output: Show Output Channels...');
    const row = this.quickInput.locator('.monaco-list-row', { hasText: new RegExp(`^${escapeRegExp(name)}`) }).first();
    await row.waitFor({ timeout: 15_000 });
    await row.click();
    const lines = this.page.locator('.part.panel .output-view .view-lines .view-line');
    await lines.first().waitFor({ timeout: 15_000 });
    // The output view appends asynchronously: read until two reads agree.
    let text = '';
    for (let last = '\0', i = 0; text !== last && i < 20; i++) {
      last = text;
      await this.page.waitForTimeout(250);
      text = await this.page.locator('.part.panel .output-view .view-lines').first().evaluate((el) => {
        const rows = [...el.querySelectorAll('.view-line')] as { style: { top: string }; textContent: string | null }[];
        return rows
          .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
          .map((r) => r.textContent ?? '')
          .join(' ')
          .replace(/\s+/g, ' ');
      });
    }
    if (!keepOpen) await this.hidePanel();
    return text;
  }

  async hidePanel(): Promise<void> {
    await this.runCommand('View: Hide Panel');
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

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
