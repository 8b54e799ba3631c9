// Editor support for `consensus` cells: live parser diagnostics with "did you mean" quick fixes,
// completion (commands, options, and the declared cluster's nodes, clients and zones) and hover docs.
// All knowledge comes from lang/ (the parser's command table); this file only adapts it to VS Code.
import * as vscode from 'vscode';
import { type CompletionContext, type CompletionKind, completions, hover } from '../lang/assist';
import type { Diagnostic as LangDiagnostic, Fix } from '../lang/diagnostics';
import { parseCell } from '../lang/parser';
import { sessionOptions } from './controller';
import type { Runner } from './runner';
import type { NamesInScope } from './runnerProtocol';
import { LANGUAGE_ID, NOTEBOOK_TYPE } from './serializer';

const KINDS: Record<CompletionKind, vscode.CompletionItemKind> = {
  command: vscode.CompletionItemKind.Keyword,
  option: vscode.CompletionItemKind.Property,
  node: vscode.CompletionItemKind.Variable,
  client: vscode.CompletionItemKind.Variable,
  value: vscode.CompletionItemKind.Value,
  keyword: vscode.CompletionItemKind.Keyword,
};

/** The fixes behind the diagnostics currently shown, by document and range. */
const fixes = new Map<string, Fix>();
const fixKey = (uri: vscode.Uri, range: vscode.Range, message: string): string =>
  `${uri.toString()}|${range.start.line}:${range.start.character}-${range.end.character}|${message}`;

export function toVsDiagnostics(uri: vscode.Uri, diagnostics: readonly LangDiagnostic[]): vscode.Diagnostic[] {
  return diagnostics.map((d) => {
    const range = new vscode.Range(d.span.line - 1, d.span.column - 1, d.span.line - 1, Math.max(d.span.column, d.span.endColumn - 1));
    const out = new vscode.Diagnostic(range, d.message, d.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Error);
    out.source = 'consensus';
    if (d.fix) fixes.set(fixKey(uri, range, d.message), d.fix);
    return out;
  });
}

export function registerLanguageFeatures(
  context: vscode.ExtensionContext,
  diagnostics: vscode.DiagnosticCollection,
  runner: Runner,
): void {
  const selector: vscode.DocumentSelector = { language: LANGUAGE_ID };
  const lint = (doc: vscode.TextDocument): void => {
    if (doc.languageId !== LANGUAGE_ID) return;
    diagnostics.set(doc.uri, toVsDiagnostics(doc.uri, parseCell(doc.getText()).diagnostics));
  };
  for (const doc of vscode.workspace.textDocuments) lint(doc);
  context.subscriptions.push(
    vscode.workspace.onDidOpenTextDocument(lint),
    vscode.workspace.onDidChangeTextDocument((e) => lint(e.document)),
    vscode.workspace.onDidCloseTextDocument((doc) => diagnostics.delete(doc.uri)),
    vscode.languages.registerCompletionItemProvider(
      selector,
      {
        async provideCompletionItems(doc, position, token) {
          const ctx = await completionContext(doc, runner, token);
          return completions(doc.getText(), position.line + 1, position.character + 1, ctx).map((c) => {
            const item = new vscode.CompletionItem(c.label, KINDS[c.kind]);
            item.detail = c.detail;
            if (c.insertText !== undefined) item.insertText = c.insertText;
            if (c.kind === 'option') item.command = { command: 'editor.action.triggerSuggest', title: 'Suggest values' };
            return item;
          });
        },
      },
      ' ',
      '=',
      '{',
    ),
    vscode.languages.registerHoverProvider(selector, {
      provideHover(doc, position) {
        const md = hover(doc.getText(), position.line + 1, position.character + 1);
        return md === null ? null : new vscode.Hover(new vscode.MarkdownString(md));
      },
    }),
    vscode.languages.registerCodeActionsProvider(
      selector,
      {
        provideCodeActions(doc, _range, ctx) {
          const actions: vscode.CodeAction[] = [];
          for (const d of ctx.diagnostics) {
            const fix = fixes.get(fixKey(doc.uri, d.range, d.message));
            if (!fix) continue;
            const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
            action.diagnostics = [d];
            action.isPreferred = true;
            action.edit = new vscode.WorkspaceEdit();
            action.edit.replace(doc.uri, new vscode.Range(fix.span.line - 1, fix.span.column - 1, fix.span.line - 1, fix.span.endColumn - 1), fix.replacement);
            actions.push(action);
          }
          return actions;
        },
      },
      { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] },
    ),
  );
}

/**
 * Names the cell may use: those of the cluster as it stands after the cells above (the runner's cached
 * run), plus a cluster the cell itself declares.
 */
async function completionContext(doc: vscode.TextDocument, runner: Runner, token: vscode.CancellationToken): Promise<CompletionContext> {
  let ctx: CompletionContext = { nodes: [], clients: [], zones: [] };
  const nb = vscode.workspace.notebookDocuments.find((n) => n.notebookType === NOTEBOOK_TYPE && n.getCells().some((c) => c.document === doc));
  if (nb) {
    const code = nb.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code);
    const k = code.findIndex((c) => c.document === doc);
    if (k > 0) {
      try {
        ctx = await runner.request<NamesInScope>(
          { type: 'context', notebook: nb.uri.toString(), cells: code.map((c) => c.document.getText()), k: k - 1, options: sessionOptions() },
          token,
        );
      } catch {
        // Completion without the names of earlier cells is still useful.
      }
    }
  }
  for (const st of parseCell(doc.getText()).stmts) {
    if (st.kind === 'cluster') ctx = { ...ctx, nodes: st.nodes.map((r) => r.name) };
  }
  return ctx;
}
