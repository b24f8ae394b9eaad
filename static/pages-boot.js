// MV3 forbids inline scripts, so the options page's wasm starts from this file (see ARCHITECTURE.md).
import init from './flare_options.js';

await init({ module_or_path: new URL('./flare_options_bg.wasm', import.meta.url) });
