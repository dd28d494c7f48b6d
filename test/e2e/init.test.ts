/**
 * `mls init` through the built CLI (not a terminal, so it never asks): what it writes starts with `mls start`
 * unchanged and serves; what it refuses exits 2 with a message and writes nothing.
 */
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {EXAMPLE, MNIST_DIR, MUSHROOM_DIR, readTestSet, rowRequest} from './helpers/fixtures.js'
import {postJson} from './helpers/http.js'
import {BIN, runMls, startMls, type MlsProcess} from './helpers/mls-process.js'
import {hasTmux, terminals} from './helpers/terminal.js'

const MNIST_MODEL = 'examples/multi-model/models/mnist_sklearn/model.onnx'
const MUSHROOM_MODEL = 'examples/multi-model/models/mushroom_xgboost/model.json'
const mnist = readTestSet(path.join(MNIST_DIR, 'test-set.json'))
const mushroom = readTestSet(path.join(MUSHROOM_DIR, 'test-set.json'))

const temps: string[] = []
/** A fresh folder that does not exist yet (init creates it). */
function newDir(): string {
  const parent = mkdtempSync(path.join(tmpdir(), 'mls-init-e2e-'))
  temps.push(parent)
  return path.join(parent, 'repo')
}
afterAll(() => {
  for (const dir of temps) rmSync(dir, {recursive: true, force: true})
})

/** Starts mls on DIR, runs `check`, and stops it (exit 0); fails on any warning or error in the server's log. */
async function serve(dir: string, check: (server: MlsProcess) => Promise<void>, {quiet = true} = {}): Promise<void> {
  const server = await startMls(dir)
  try {
    await check(server)
    if (quiet) expect(server.logs()).not.toMatch(/ (WARN|ERROR) /)
  } finally {
    expect(await server.stop()).toBe(0)
  }
}

async function index(server: MlsProcess): Promise<Array<{name: string; version: string; state: string; reason: string}>> {
  return (await postJson(server.url + '/v2/repository/index', {})).body
}

function expectNoStack(output: string): void {
  expect(output).not.toMatch(/\n\s+at /)
}

describe('mls init: what it writes serves', () => {
  it('scaffolds an sklearn model from an .onnx file that answers the expected label', async () => {
    const dir = newDir()
    const init = await runMls(['init', dir, '--model-file', MNIST_MODEL, '--runtime', 'sklearn', '--name', 'digits', '--version', 'v1'])
    expect(init.code).toBe(0)
    expect(init.output).toContain('models/digits/model.onnx (copied from examples/multi-model/models/mnist_sklearn/model.onnx)')
    expect(init.output).toContain(`mls start ${dir}`)
    expect(JSON.parse(readFileSync(path.join(dir, 'models/digits/model-settings.json'), 'utf8'))).toEqual({
      name: 'digits',
      implementation: 'sklearn',
      parameters: {version: 'v1'},
    })
    await serve(dir, async (server) => {
      const res = await postJson(server.url + '/v2/models/digits/versions/v1/infer', rowRequest(mnist, 0))
      expect(res.status).toBe(200)
      expect(res.body).toMatchObject({model_name: 'digits', model_version: 'v1'})
      expect(res.body.outputs).toEqual([{name: 'predict', shape: [1, 1], datatype: 'INT64', data: [mnist.expected.predict[0]]}])
    })
  })

  it('detects xgboost from a .json model file and names the model after its folder', async () => {
    const dir = newDir()
    const init = await runMls(['init', dir, '--model-file', MUSHROOM_MODEL])
    expect(init.code).toBe(0)
    expect(init.output).toContain('Model "mushroom_xgboost": runtime xgboost, no version.')
    await serve(dir, async (server) => {
      const res = await postJson(server.url + '/v2/models/mushroom_xgboost/infer', rowRequest(mushroom, 3))
      expect(res.status).toBe(200)
      expect(res.body.outputs[0].data[0]).toBeCloseTo(mushroom.expected.predict[3], 6)
    })
  })

  it('--example multi-model: both models READY', async () => {
    const dir = newDir()
    const init = await runMls(['init', dir, '--example', 'multi-model'])
    expect(init.code).toBe(0)
    expect(existsSync(path.join(dir, 'models/mushroom_xgboost/test-set.json'))).toBe(true)
    expect(existsSync(path.join(dir, 'data'))).toBe(false)
    expect(existsSync(path.join(dir, 'train'))).toBe(false)
    expect(readFileSync(path.join(dir, 'settings.json'), 'utf8')).toBe(readFileSync(path.join(EXAMPLE, 'settings.json'), 'utf8'))
    await serve(dir, async (server) => {
      expect(await index(server)).toEqual([
        {name: 'mnist_sklearn', version: 'v1.0.0', state: 'READY', reason: ''},
        {name: 'mushroom_xgboost', version: 'v2.0.0', state: 'READY', reason: ''},
      ])
    })
  })

  it('without a model file: the server starts and lists the model UNAVAILABLE until the file is put in place', async () => {
    const dir = newDir()
    const init = await runMls(['init', dir, '--name', 'later'])
    expect(init.code).toBe(0)
    expect(init.output).toContain(`Put the model file at ${path.join(dir, 'models/later/model.onnx')}`)
    await serve(
      dir,
      async (server) => {
        const [entry] = await index(server)
        expect(entry).toMatchObject({name: 'later', state: 'UNAVAILABLE'})
        expect(entry.reason).toMatch(/no model file found/)
      },
      {quiet: false},
    )
  })
})

describe('mls init --runtime custom', () => {
  it('writes a TypeScript runtime that serves as it is, and a test set that mls test passes', async () => {
    const dir = newDir()
    const init = await runMls(['init', dir, '--runtime', 'custom', '--name', 'adder', '--version', 'v1'])
    expect(init.code).toBe(0)
    expect(init.output).toContain('Model "adder": runtime custom, version v1.')
    expect(existsSync(path.join(dir, 'models/adder/runtime.ts'))).toBe(true)
    await serve(dir, async (server) => {
      const res = await postJson(server.url + '/v2/models/adder/infer', {inputs: [{name: 'input', shape: [2, 3], datatype: 'FP64', data: [1, 2, 3, 4, 5, 6]}]})
      expect(res.status).toBe(200)
      expect(res.body.outputs).toEqual([{name: 'sum', shape: [2, 1], datatype: 'FP64', data: [6, 15], parameters: {content_type: 'np'}}])
      const test = await runMls(['test', '--model', 'adder', '--repo', dir, '--url', server.url])
      expect(test.code, test.output).toBe(0)
      expect(test.output).toMatch(/agreement\s+100\.00% \(4\/4 rows/)
    })
  })

  it('--example custom-runtime: the sentiment model READY and answering', async () => {
    const dir = newDir()
    expect((await runMls(['init', dir, '--example', 'custom-runtime'])).code).toBe(0)
    await serve(dir, async (server) => {
      expect(await index(server)).toEqual([{name: 'sentiment', version: 'v1', state: 'READY', reason: ''}])
      const res = await postJson(server.url + '/v2/models/sentiment/infer', {inputs: [{name: 'text', shape: [1], datatype: 'BYTES', data: ['a great day']}]})
      expect(res.body.outputs.map((o: {data: number[]}) => o.data)).toEqual([[3], [1]])
    })
  })
})

describe('mls init: an existing repository', () => {
  it('refuses a second init (exit 2), overwrites with --force, adds a model with --skip-settings', async () => {
    const dir = newDir()
    const args = ['init', dir, '--model-file', MNIST_MODEL, '--runtime', 'sklearn', '--name', 'digits', '--http-port', '9999']
    expect((await runMls(args)).code).toBe(0)
    const settings = readFileSync(path.join(dir, 'settings.json'), 'utf8')

    const again = await runMls(['init', dir, '--name', 'other'])
    expect(again.code).toBe(2)
    expect(again.output).toContain(
      `${path.join(dir, 'settings.json')} exists; use --force to overwrite, or --skip-settings to add a model to this repository`,
    )
    expectNoStack(again.output)
    expect(existsSync(path.join(dir, 'models/other'))).toBe(false)

    const forced = await runMls([...args, '--force', '--version', 'v2'])
    expect(forced.code).toBe(0)
    expect(JSON.parse(readFileSync(path.join(dir, 'models/digits/model-settings.json'), 'utf8')).parameters.version).toBe('v2')

    const added = await runMls(['init', dir, '--skip-settings', '--model-file', MUSHROOM_MODEL, '--name', 'mushroom', '--version', 'v1'])
    expect(added.code).toBe(0)
    expect(added.output).toContain('(settings.json left as it is)')
    expect(readFileSync(path.join(dir, 'settings.json'), 'utf8')).toBe(settings)
    await serve(dir, async (server) => {
      expect((await index(server)).map(({name, version, state}) => ({name, version, state}))).toEqual([
        {name: 'digits', version: 'v2', state: 'READY'},
        {name: 'mushroom', version: 'v1', state: 'READY'},
      ])
    })
  })

  it('refuses to overwrite a model of the same name, even with --skip-settings', async () => {
    const dir = newDir()
    expect((await runMls(['init', dir, '--name', 'm'])).code).toBe(0)
    const again = await runMls(['init', dir, '--skip-settings', '--name', 'm'])
    expect(again.code).toBe(2)
    expect(again.output).toContain(`${path.join(dir, 'models/m/model-settings.json')} exists; use --force to overwrite, or choose another --name`)
  })
})

describe('mls init: refusals write nothing', () => {
  it('refuses a pickle with the way to export it to ONNX', async () => {
    const dir = newDir()
    const pickle = path.join(path.dirname(dir), 'model.joblib')
    writeFileSync(pickle, 'not really a pickle')
    const res = await runMls(['init', dir, '--model-file', pickle])
    expect(res.code).toBe(2)
    expect(res.output).toContain('mls never loads pickles (.joblib, .pkl, .pickle): unpickling runs arbitrary code.')
    expect(res.output).toContain('from skl2onnx import to_onnx')
    expectNoStack(res.output)
    expect(existsSync(dir)).toBe(false)
  })

  it('refuses bad usage with exit 2: a missing model file, a bad name, a flag that does not fit', async () => {
    const dir = newDir()
    for (const args of [
      ['--model-file', 'nope.onnx'],
      ['--name', 'a/b'],
      ['--example', 'multi-model', '--name', 'x'],
      ['--skip-settings', '--http-port', '9000'],
      ['--runtime', 'tensorflow'],
      ['--http-port', '70000'],
    ]) {
      const res = await runMls(['init', dir, ...args])
      expect(res.code, args.join(' ')).toBe(2)
      expectNoStack(res.output)
    }
    expect(existsSync(dir)).toBe(false)
  }, 60_000) // six CLI runs one after the other: about 1 s each alone, 5 s each on a loaded 2-core machine
})

describe('mls init --json', () => {
  it('prints {dir, files, model} and nothing else', async () => {
    const dir = newDir()
    const res = await runMls(['init', dir, '--json', '--model-file', MNIST_MODEL, '--runtime', 'sklearn', '--name', 'digits', '--version', 'v1'])
    expect(res.code).toBe(0)
    expect(JSON.parse(res.output)).toEqual({
      dir,
      files: [path.join(dir, 'settings.json'), path.join(dir, 'models/digits/model-settings.json'), path.join(dir, 'models/digits/model.onnx')],
      model: {
        name: 'digits',
        runtime: 'sklearn',
        version: 'v1',
        file: path.join(dir, 'models/digits/model.onnx'),
        source: path.resolve(MNIST_MODEL),
      },
    })
  })

  it('reports the version as null when there is none, and an error as JSON with exit 2', async () => {
    const dir = newDir()
    const first = await runMls(['init', dir, '--json'])
    expect(JSON.parse(first.output).model).toEqual({name: 'my-model', runtime: 'onnx', version: null, file: path.join(dir, 'models/my-model/model.onnx'), source: null})
    const second = await runMls(['init', dir, '--json'])
    expect(second.code).toBe(2)
    expect(JSON.parse(second.output).error.message).toMatch(/settings\.json exists; use --force/)
  })

  it('for an example: {dir, files, example, models}', async () => {
    const dir = newDir()
    const res = await runMls(['init', dir, '--json', '--example', 'multi-model'])
    const json = JSON.parse(res.output)
    expect(Object.keys(json)).toEqual(['dir', 'files', 'example', 'models'])
    expect(json.models).toEqual([
      {name: 'mnist_sklearn', version: 'v1.0.0'},
      {name: 'mushroom_xgboost', version: 'v2.0.0'},
    ])
    expect(json.files).toHaveLength(8)
  })
})

describe.skipIf(!hasTmux())('mls init in a terminal (tmux)', () => {
  const terminal = terminals()

  it('asks for the name and the runtime it is missing, then writes', async () => {
    const dir = newDir()
    const term = terminal('init', `${process.execPath} ${BIN} init ${dir}`, {columns: 160, rows: 30})
    await term.waitFor('? Model name (my-model)')
    term.keys('-l', 'typed_name')
    term.keys('Enter')
    await term.waitFor('? Runtime')
    term.keys('Down')
    await term.waitFor('❯ sklearn')
    term.keys('Enter')
    const screen = await term.waitFor('EXIT=0')
    expect(screen).toContain('✔ Model name typed_name')
    expect(screen).toContain('✔ Runtime sklearn')
    expect(JSON.parse(readFileSync(path.join(dir, 'models/typed_name/model-settings.json'), 'utf8'))).toMatchObject({name: 'typed_name', implementation: 'sklearn'})
  })
})
