/**
 * Where the files `mls init` copies live: `templates/` and `examples/` at the package root. This file compiles to
 * dist/init/package-paths.js and runs from src/init/ under vitest: both are two levels below the root.
 */
import {fileURLToPath} from 'node:url'

/** `templates/`: settings.json and model-settings/<runtime>.json with `{{placeholders}}` (see templates/README.md). */
export const TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url))

/** `examples/`: the bundled example repositories `init --example NAME` copies. */
export const EXAMPLES_DIR = fileURLToPath(new URL('../../examples/', import.meta.url))
