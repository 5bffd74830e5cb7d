// `npm run bench`: every benchmark, each printing its own figures.
import { runGasBenchmark } from './gas.js';

runGasBenchmark();
