/** Multi-process serving (`mls start --processes N`): one primary and N worker processes sharing the ports. */
export {runClusterPrimary} from './primary.js'
export {isClusterWorker, runClusterWorker} from './worker.js'
