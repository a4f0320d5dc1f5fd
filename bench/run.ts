/** `npm run bench`: every benchmark scenario in turn. */
import { runSearchBench } from './search.js'

await runSearchBench()
