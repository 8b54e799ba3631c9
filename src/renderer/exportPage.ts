// A page script for headless export (the CLI loads it into Chromium): draws Mermaid sources to SVG
// with the renderer's own configuration.
import mermaid from 'mermaid';
import { type DiagramTheme, mermaidConfig } from './mermaidConfig';

declare global {
  interface Window {
    cnRender: (id: string, source: string, theme: DiagramTheme) => Promise<string>;
  }
}

window.cnRender = async (id, source, theme) => {
  mermaid.initialize(mermaidConfig(theme));
  // render() parses and, with suppressErrorRendering, throws on a bad source.
  const { svg } = await mermaid.render(id, source);
  return svg;
};
