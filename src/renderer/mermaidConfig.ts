// The one Mermaid configuration, shared by the notebook renderer and the CLI's SVG/PNG export, so an
// exported image is exactly what the notebook draws.
import type { MermaidConfig } from 'mermaid';

export type DiagramTheme = 'default' | 'dark' | 'forest' | 'neutral';

export function mermaidConfig(theme: DiagramTheme): MermaidConfig {
  return {
    startOnLoad: false,
    securityLevel: 'strict',
    // A source that does not parse makes render() throw (shown as text) rather than draw an error image.
    suppressErrorRendering: true,
    theme,
    // Notes and edge labels stay readable in every theme (WCAG AA contrast on the dark theme's notes).
    themeVariables:
      theme === 'dark'
        ? { noteBkgColor: '#2d3540', noteTextColor: '#f0f0f0', noteBorderColor: '#7a8a9a', edgeLabelBackground: '#1f1f1f' }
        : { edgeLabelBackground: '#ffffff' },
    // State and topology edge labels are SVG text (htmlLabels off, so exports have no foreignObject): a halo
    // of the background colour under each glyph keeps the edge behind from striking the text through.
    themeCSS: `.edgeLabel text { paint-order: stroke fill; stroke: ${theme === 'dark' ? '#1f1f1f' : '#ffffff'}; stroke-width: 6px; stroke-linejoin: round; }`,
    maxTextSize: 50_000,
    maxEdges: 500,
    // Diagrams fit the output's width (wide clusters scale down rather than hide nodes off-screen).
    sequence: { useMaxWidth: true, showSequenceNumbers: false },
    flowchart: { htmlLabels: false, useMaxWidth: true },
    state: { useMaxWidth: true },
    fontFamily: 'var(--vscode-font-family, "trebuchet ms", verdana, arial, sans-serif)',
  };
}
