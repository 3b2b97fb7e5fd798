/**
 * What the Chromium tests load into their pages: the core runtime and the browser stores,
 * bundled by esbuild and exposed as `window.esre`.
 */
import * as core from 'event-sourced-rules-engine';
import * as browser from 'event-sourced-rules-engine/browser';

const esre = { ...core, ...browser };

/** The shape of `window.esre` in the test pages. */
export type EsreGlobal = typeof esre;

(globalThis as unknown as { esre: EsreGlobal }).esre = esre;
