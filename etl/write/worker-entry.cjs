// Entry of the ETL's worker threads: registers tsx's in-thread CommonJS hooks (no extra loader
// thread per worker, unlike `--import tsx`) and exposes the TypeScript worker's task function.
require('tsx/cjs/api').register();
module.exports = require('./worker.ts').default;
