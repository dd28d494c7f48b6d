import {describe, expect, it} from 'vitest'
import {RepositoryBroadcast, summarize, type BroadcastTarget} from '../../../src/cluster/broadcast.js'
import type {PrimaryMessage} from '../../../src/cluster/messages.js'
import {resolvePorts} from '../../../src/cluster/ports.js'
import {silentLogger} from '../../../src/logger.js'

/** Targets that answer every repo-do through `answer` (undefined: success). */
function targets(broadcast: () => RepositoryBroadcast, answer: (number: number, name: string) => string | undefined, n = 2): {list: BroadcastTarget[]; sent: Array<[number, PrimaryMessage]>} {
  const sent: Array<[number, PrimaryMessage]> = []
  const list = Array.from({length: n}, (_, i) => ({
    number: i + 1,
    pid: 100 + i,
    send(message: PrimaryMessage) {
      sent.push([i + 1, message])
      if (message.type !== 'mls:repo-do') return
      const error = answer(i + 1, message.name)
      setImmediate(() => broadcast().done(i + 1, message.id, error === undefined ? undefined : {code: 'MODEL_LOAD_FAILED' as never, message: error}))
    },
  }))
  return {list, sent}
}

describe('RepositoryBroadcast', () => {
  it('does the operation on every process and resolves once all answered', async () => {
    let b!: RepositoryBroadcast
    const {list, sent} = targets(() => b, () => undefined)
    b = new RepositoryBroadcast(silentLogger, () => list)
    expect(await b.run('unload', 'm')).toBeUndefined()
    expect(sent.map(([n, m]) => [n, m.type])).toEqual([[1, 'mls:repo-do'], [2, 'mls:repo-do']])
  })

  it('names the process that failed and why', async () => {
    let b!: RepositoryBroadcast
    const {list} = targets(() => b, (n) => (n === 2 ? 'disk full' : undefined))
    b = new RepositoryBroadcast(silentLogger, () => list)
    const error = await b.run('load', 'm')
    expect(error?.message).toBe('load of model m failed in 1 of 2 processes: process 2 (pid 101): disk full')
  })

  it("keeps the processes' own error when all failed alike", async () => {
    let b!: RepositoryBroadcast
    const {list} = targets(() => b, () => 'not found')
    b = new RepositoryBroadcast(silentLogger, () => list)
    expect(await b.run('load', 'm')).toEqual({code: 'MODEL_LOAD_FAILED', message: 'not found'})
  })

  it('counts a process that exits mid-operation as failed', async () => {
    const list: BroadcastTarget[] = [{number: 1, pid: 7, send: () => undefined}]
    const b = new RepositoryBroadcast(silentLogger, () => list)
    const result = b.run('load', 'm')
    await new Promise((resolve) => setImmediate(resolve))
    b.gone(1)
    expect((await result)?.message).toBe('the process exited during the operation')
  })

  it('replays the last successful operation per model on a new process', async () => {
    let b!: RepositoryBroadcast
    const {list, sent} = targets(() => b, (_, name) => (name === 'bad' ? 'nope' : undefined))
    b = new RepositoryBroadcast(silentLogger, () => list)
    await b.run('unload', 'm')
    await b.run('load', 'bad')
    sent.length = 0
    b.replay(2)
    await b.run('load', 'x') // queued after the replay
    expect(sent.filter(([n]) => n === 2).map(([, m]) => (m.type === 'mls:repo-do' ? `${m.op} ${m.name}` : m.type))).toEqual(['unload m', 'load x'])
  })
})

describe('summarize', () => {
  it('is undefined without failures', () => expect(summarize('load', 'm', [], 2)).toBeUndefined())
})

describe('resolvePorts', () => {
  it('keeps fixed ports and gives each 0 a distinct free port', async () => {
    const [a, b, c] = await resolvePorts('127.0.0.1', [0, 0, 8123])
    expect(a).toBeGreaterThan(0)
    expect(b).toBeGreaterThan(0)
    expect(a).not.toBe(b)
    expect(c).toBe(8123)
  })
})
