// MV3 forbids inline scripts, so the wasm app starts from this file (see ARCHITECTURE.md).
import init from './flare.js';

await init({ module_or_path: new URL('./flare_bg.wasm', import.meta.url) });
