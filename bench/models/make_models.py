#!/usr/bin/python3
"""Makes the ONNX models of the bench's large-tensor, batching and scale scenarios (see bench/README.md).

Run with Debian's Python, which has python3-onnx 1.12 and numpy (the python3 first on PATH may not see them):

    /usr/bin/python3 bench/models/make_models.py

Writes, next to this script (opset 15, IR 8; deterministic, so re-running gives the same bytes):
  large_identity/model.onnx  y = Identity(x), x FP32 [batch, 100000]
  large_sum/model.onnx       y = ReduceSum(x, axis 1, keepdims), x FP32 [batch, 100000] -> [batch, 1]
  mlp/model.onnx             64 -> 512 -> 512 -> 10, MatMul + Add + Relu (no Relu on the last layer), seeded weights
  tiny/model.onnx            y = x * 2 + 1, x FP32 [batch, 4]; copied 100 times by the scale100 scenario
  expected.json              inputs and numpy's answers for mlp and tiny (bench/run.js checks onnxruntime-node and mls
                             against them before timing anything)
The model-settings.json files (including mlp_batched's, which points at mlp/model.onnx) are written as well.
"""
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
LARGE = 100_000
OPSET = 15
IR_VERSION = 8


def save(folder, graph, settings):
    model = helper.make_model(graph, producer_name='mls-bench', opset_imports=[helper.make_opsetid('', OPSET)])
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model, full_check=True)
    os.makedirs(os.path.join(HERE, folder), exist_ok=True)
    with open(os.path.join(HERE, folder, 'model.onnx'), 'wb') as f:
        f.write(model.SerializeToString())
    write_settings(folder, settings)


def write_settings(folder, settings):
    os.makedirs(os.path.join(HERE, folder), exist_ok=True)
    with open(os.path.join(HERE, folder, 'model-settings.json'), 'w') as f:
        f.write(json.dumps(settings, indent=2) + '\n')


def fp32(name, dims):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, dims)


def large_identity():
    node = helper.make_node('Identity', ['x'], ['y'])
    graph = helper.make_graph([node], 'large_identity', [fp32('x', ['batch', LARGE])], [fp32('y', ['batch', LARGE])])
    save('large_identity', graph, {'name': 'large_identity', 'implementation': 'onnx'})


def large_sum():
    axes = numpy_helper.from_array(np.array([1], dtype=np.int64), 'axes')
    node = helper.make_node('ReduceSum', ['x', 'axes'], ['y'], keepdims=1)
    graph = helper.make_graph([node], 'large_sum', [fp32('x', ['batch', LARGE])], [fp32('y', ['batch', 1])], initializer=[axes])
    save('large_sum', graph, {'name': 'large_sum', 'implementation': 'onnx'})


def mlp():
    rng = np.random.default_rng(20240601)
    sizes = [64, 512, 512, 10]
    weights = []
    for fan_in, fan_out in zip(sizes, sizes[1:]):
        w = (rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)).astype(np.float32)
        b = (rng.standard_normal(fan_out) * 0.01).astype(np.float32)
        weights.append((w, b))
    nodes, initializers, current = [], [], 'x'
    for i, (w, b) in enumerate(weights, start=1):
        initializers += [numpy_helper.from_array(w, f'W{i}'), numpy_helper.from_array(b, f'B{i}')]
        last = i == len(weights)
        nodes.append(helper.make_node('MatMul', [current, f'W{i}'], [f'mm{i}']))
        nodes.append(helper.make_node('Add', [f'mm{i}', f'B{i}'], ['y' if last else f'add{i}']))
        if not last:
            nodes.append(helper.make_node('Relu', [f'add{i}'], [f'h{i}']))
            current = f'h{i}'
    graph = helper.make_graph(nodes, 'mlp', [fp32('x', ['batch', 64])], [fp32('y', ['batch', 10])], initializer=initializers)
    save('mlp', graph, {'name': 'mlp', 'implementation': 'onnx'})
    write_settings('mlp_batched', {
        'name': 'mlp_batched',
        'implementation': 'onnx',
        'max_batch_size': 32,
        'max_batch_time': 0.002,
        'parameters': {'uri': '../mlp/model.onnx'},
    })

    # The first 64-float row of the example's mnist test set (pixel values 0..16), the row the other scenarios send.
    with open(os.path.join(ROOT, 'examples/multi-model/models/mnist_sklearn/test-set.json')) as f:
        row = np.array(json.load(f)['request']['inputs'][0]['data'][:64], dtype=np.float32).reshape(1, 64)
    h = row
    for i, (w, b) in enumerate(weights):
        h = h @ w + b
        if i < len(weights) - 1:
            h = np.maximum(h, 0)
    return {'input': row.ravel().tolist(), 'output': h.astype(np.float32).ravel().tolist()}


def tiny():
    two = numpy_helper.from_array(np.array([2], dtype=np.float32), 'two')
    one = numpy_helper.from_array(np.array([1], dtype=np.float32), 'one')
    nodes = [helper.make_node('Mul', ['x', 'two'], ['twice']), helper.make_node('Add', ['twice', 'one'], ['y'])]
    graph = helper.make_graph(nodes, 'tiny', [fp32('x', ['batch', 4])], [fp32('y', ['batch', 4])], initializer=[two, one])
    save('tiny', graph, {'name': 'tiny', 'implementation': 'onnx'})
    x = np.array([[1, 2, 3, 4]], dtype=np.float32)
    return {'input': x.ravel().tolist(), 'output': (x * 2 + 1).ravel().tolist()}


if __name__ == '__main__':
    large_identity()
    large_sum()
    expected = {'mlp': mlp(), 'tiny': tiny(), 'large': {'elements': LARGE}}
    with open(os.path.join(HERE, 'expected.json'), 'w') as f:
        # one line per model: small diffs, readable
        f.write('{\n' + ',\n'.join(f'  {json.dumps(k)}: {json.dumps(v)}' for k, v in expected.items()) + '\n}\n')
    for folder in sorted(os.listdir(HERE)):
        path = os.path.join(HERE, folder, 'model.onnx')
        if os.path.exists(path):
            print(f'{folder}/model.onnx: {os.path.getsize(path)} bytes')
