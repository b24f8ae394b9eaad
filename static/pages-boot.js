// MV3 forbids inline scripts, so the full pages' wasm (options, ticket) starts from this file
// (see ARCHITECTURE.md); the wasm reads <body data-surface> to know which page it is.
import init from './flare_pages.js';

await init({ module_or_path: new URL('./flare_pages_bg.wasm', import.meta.url) });
