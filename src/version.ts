import {readFileSync} from 'node:fs'

/** The package version, read once from package.json (dist/version.js sits one folder below it). */
export const MLS_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {version: string}
).version
