// The one Mermaid configuration, shared by the notebook renderer and the CLI's SVG/PNG export, so an
// exported image is exactly what the notebook draws.
import type { MermaidConfig } from 'mermaid';

export type DiagramTheme = 'default' | 'dark' | 'forest' | 'neutral';

export function mermaidConfig(theme: DiagramTheme): MermaidConfig {
  return {
    startOnLoad: false,
    securityLevel: 'strict',
    theme,
    maxTextSize: 50_000,
    maxEdges: 500,
    sequence: { useMaxWidth: false, showSequenceNumbers: false },
    flowchart: { htmlLabels: false, useMaxWidth: false },
    state: { useMaxWidth: false },
    fontFamily: 'var(--vscode-font-family, "trebuchet ms", verdana, arial, sans-serif)',
  };
}
