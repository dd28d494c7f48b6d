import {describe, expect, it} from 'vitest'
import type {Tensor} from '../../../src/protocol/types.js'
import {forTransfer} from '../../../src/workers/transfer.js'

const tensor = (data: Tensor['data'], datatype: Tensor['datatype'] = 'FP32'): Tensor => ({name: 't', datatype, shape: [Array.isArray(data) ? data.length : (data as Float32Array).length], data})

describe('forTransfer', () => {
  it('moves an array that owns its whole buffer as is', () => {
    const data = Float32Array.of(1, 2)
    const {tensors, transfer} = forTransfer([tensor(data)])
    expect(tensors[0].data).toBe(data)
    expect(transfer).toEqual([data.buffer])
  })

  it('copies a view into a larger buffer, so the larger buffer is neither cloned whole nor detached', () => {
    const body = new ArrayBuffer(4096)
    const view = new Float32Array(body, 8, 2)
    view.set([3, 4])
    const {tensors, transfer} = forTransfer([tensor(view)])
    expect(tensors[0].data).not.toBe(view)
    expect(Array.from(tensors[0].data as Float32Array)).toEqual([3, 4])
    expect(transfer).toEqual([(tensors[0].data as Float32Array).buffer])
    expect((transfer[0] as ArrayBuffer).byteLength).toBe(8)
  })

  it('copies BYTES elements that are views, and lists each buffer once', () => {
    const message = Uint8Array.of(9, 1, 2, 9)
    const own = Uint8Array.of(5)
    const shared = Int32Array.of(7)
    const {tensors, transfer} = forTransfer([tensor([message.subarray(1, 3), own], 'BYTES'), tensor(shared, 'INT32'), {...tensor(shared, 'INT32'), name: 'again'}])
    const [first, second] = tensors[0].data as Uint8Array[]
    expect(Array.from(first)).toEqual([1, 2])
    expect(first.buffer.byteLength).toBe(2)
    expect(second).toBe(own)
    expect(transfer).toHaveLength(3)
  })

  it('transfers for real: the sender\'s array is detached after postMessage', () => {
    const data = Float64Array.of(1, 2, 3)
    const {tensors, transfer} = forTransfer([tensor(data, 'FP64')])
    const {port1, port2} = new MessageChannel()
    port1.postMessage(tensors, transfer)
    expect(data.length).toBe(0)
    port1.close()
    port2.close()
  })
})
