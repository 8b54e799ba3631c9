// Build-time patches to Mermaid's sequence diagram (node_modules/mermaid, pinned exactly in
// package.json), applied by esbuild.js to the renderer and the CLI's export page. Each one removes
// repeated work from a hot path without changing what is drawn: the same source gives the same SVG,
// byte for byte (test/unit/renderer.mermaidPatches.test.ts checks that every patch applies; the E2E
// suite draws every view with them).
//
// Why: on a 500-message diagram Mermaid 11.17 spent about 0.8 s copying its whole configuration (a
// deep copy of some 900 keys, `getConfig()`) twice per statement, and 0.3 s in forced layouts measuring
// text heights that nothing reads. The figure `ext.render500.ms` (README, DESIGN.md) is the budget.
//
// A patch that no longer matches (a Mermaid upgrade) fails the build: re-check it against the new
// source, and drop it if upstream fixed the hot path.
'use strict';
const fs = require('node:fs');

/** The sequence diagram chunk of Mermaid's ESM build, whatever its content hash. */
const SEQUENCE_CHUNK = /[\\/]mermaid[\\/]dist[\\/]chunks[\\/]mermaid\.core[\\/]sequenceDiagram-[A-Za-z0-9_-]+\.mjs$/;

const MERMAID_PATCHES = [
  {
    name: 'autoWrap reads the configuration once per diagram',
    // SequenceDB.autoWrap() runs for every participant, message and note while parsing. A database
    // serves one parse (`get db()` makes a new one), and the configuration cannot change during it.
    find: `    return getConfig2().sequence?.wrap ?? false;
  }`,
    replace: `    return this.cnAutoWrap ??= getConfig2().sequence?.wrap ?? false;
  }`,
  },
  {
    name: 'buildMessageModel reads `look` from the configuration of the current draw',
    // Called for every message and note by draw(), after bounds.init() merged the whole configuration
    // (getConfig2()) into the module's conf: conf.look is the same value.
    find: `var buildMessageModel = /* @__PURE__ */ __name(function(msg, actors, diagObj) {
  const { look } = getConfig2();`,
    replace: `var buildMessageModel = /* @__PURE__ */ __name(function(msg, actors, diagObj) {
  const { look } = conf;`,
  },
  {
    name: 'drawText measures a line only when a next line needs its height',
    // The heights add up to place the following lines; after the last line they are not read (the
    // function returns the elements), so that getBBox() was only a forced layout of the whole SVG.
    find: `    if (textData.valign !== void 0 && textData.textMargin !== void 0 && textData.textMargin > 0) {
      textHeight += (textElem._groups || textElem)[0][0].getBBox().height;`,
    replace: `    if (textData.valign !== void 0 && textData.textMargin !== void 0 && textData.textMargin > 0 && i < lines.length - 1) {
      textHeight += (textElem._groups || textElem)[0][0].getBBox().height;`,
  },
];

/** Applies every patch to the sequence chunk's source; throws if one does not match exactly once. */
function patchSequenceChunk(source, file = 'the sequence diagram chunk') {
  let out = source;
  for (const p of MERMAID_PATCHES) {
    const at = out.indexOf(p.find);
    if (at < 0 || out.indexOf(p.find, at + 1) >= 0) {
      throw new Error(`Mermaid patch "${p.name}" does not match ${file} exactly once: was Mermaid upgraded? See scripts/mermaid-patches.js.`);
    }
    out = out.slice(0, at) + p.replace + out.slice(at + p.find.length);
  }
  return out;
}

/** The esbuild plugin. */
const mermaidPatches = {
  name: 'mermaid-patches',
  setup(build) {
    build.onLoad({ filter: SEQUENCE_CHUNK }, async (args) => {
      const source = await fs.promises.readFile(args.path, 'utf8');
      return { contents: patchSequenceChunk(source, args.path), loader: 'js' };
    });
  },
};

module.exports = { MERMAID_PATCHES, SEQUENCE_CHUNK, patchSequenceChunk, mermaidPatches };
