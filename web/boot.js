// The page's entry. It starts what start-up waits on longest (the module's download and compile, the
// download of the models the viewer runs from the start, the analysis worker loading its scripts) before
// main.js and its imports load, then hands them to main.js, which starts the app.
import { compileModule } from './wasm_module.js';
import { AT_START, ModelFiles } from './models.js';
import { AnalysisWorker } from './analysis_client.js';

const compiled = compileModule();
compiled.then(() => performance.mark('xraylens:compiled')); // read by tools/bench.mjs
const models = new ModelFiles();
const worker = new AnalysisWorker('analysis', compiled, models, AT_START);
const { start } = await import('./main.js');
start({ compiled, models, worker });
