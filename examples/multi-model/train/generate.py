#!/usr/bin/python3
"""Regenerate the models and test sets of the multi-model example.

Reproduces the two models of MLServer's multi-model-serving example without
skl2onnx or onnxmltools (not packaged for Debian 12):

* mnist_sklearn: SVC(gamma=0.001) on sklearn's digits, exported by hand as a
  single ai.onnx.ml SVMClassifier node (models/mnist_sklearn/model.onnx).
* mushroom_xgboost: xgboost on the agaricus data, saved in xgboost's JSON
  format (models/mushroom_xgboost/model.json).

Beside each model it writes test-set.json (a V2 inference request plus the
predictions of the original library), which the server's tests replay.

Run with Debian's interpreter, which sees python3-sklearn 1.2.1,
python3-xgboost 1.7.4 and python3-onnx 1.12.0:

    /usr/bin/python3 examples/multi-model/train/generate.py

The output is deterministic: running it twice gives byte-identical files.
"""

import json
import math
import os

import numpy as np
import onnx
import xgboost as xgb
from onnx import TensorProto, helper
from sklearn import datasets, svm
from sklearn.model_selection import train_test_split

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.dirname(HERE)
DATA = os.path.join(EXAMPLE, "data")
MODELS = os.path.join(EXAMPLE, "models")


# --------------------------------------------------------------------------
# Compact, deterministic JSON
# --------------------------------------------------------------------------

def num(v):
    """One number for JSON: integral values as ints, NaN as null, others as
    the shortest repr of the double (float32 values widen exactly)."""
    v = float(v)
    if math.isnan(v):
        return None
    if v.is_integer():
        return int(v)
    return v


def write_test_set(path, x, predict, labels=None, tolerance=None):
    """Write {"request", "expected", "labels", "tolerance"}: one line per
    top-level key, so the file stays small but still diffable."""
    request = {"inputs": [{
        "name": "predict",
        "shape": list(x.shape),
        "datatype": "FP32",
        "data": [num(v) for v in x.ravel(order="C")],
    }]}
    parts = [("request", request), ("expected", {"predict": predict})]
    if labels is not None:
        parts.append(("labels", labels))
    if tolerance is not None:
        parts.append(("tolerance", tolerance))
    body = ",\n".join(
        f"  {json.dumps(k)}: {json.dumps(v, separators=(',', ':'), allow_nan=False)}"
        for k, v in parts)
    with open(path, "w") as f:
        f.write("{\n" + body + "\n}\n")


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


# --------------------------------------------------------------------------
# mnist_sklearn: SVC on the digits -> ONNX SVMClassifier
# --------------------------------------------------------------------------

def svc_to_onnx(clf, n_features):
    """Export a fitted multi-class RBF SVC as one SVMClassifier node.

    The attribute mapping (checked against onnxruntime, all labels equal):
    - kernel_params is [gamma, coef0, degree]; only gamma matters for RBF.
    - coefficients is dual_coef_ (n_classes-1, n_SV) flattened row-major:
      onnxruntime indexes it as [class_row * n_SV + sv], the same layout
      libsvm uses for one-vs-one.
    - rho is intercept_ as is: onnxruntime adds rho to each pairwise sum, and
      sklearn's intercept_ is already -rho of libsvm. (For two classes sklearn
      negates dual_coef_ and intercept_, so a binary SVC would need both
      negated back; not the case here.)
    - No probabilities (prob_a/prob_b) and post_transform NONE: the label
      comes from one-vs-one voting, as in SVC.predict, and "scores" holds the
      n*(n-1)/2 raw pairwise decision values.
    """
    n_classes = len(clf.classes_)
    assert n_classes > 2, "binary SVC needs the sign flip described above"
    assert clf.kernel == "rbf"
    n_pairs = n_classes * (n_classes - 1) // 2

    node = helper.make_node(
        "SVMClassifier",
        inputs=["input"],
        outputs=["label", "scores"],
        domain="ai.onnx.ml",
        name="SVMClassifier",
        kernel_type="RBF",
        kernel_params=[float(clf._gamma), float(clf.coef0), float(clf.degree)],
        support_vectors=clf.support_vectors_.astype(np.float32).ravel().tolist(),
        vectors_per_class=[int(n) for n in clf.n_support_],
        coefficients=clf.dual_coef_.astype(np.float32).ravel().tolist(),
        rho=clf.intercept_.astype(np.float32).tolist(),
        classlabels_ints=[int(c) for c in clf.classes_],
        post_transform="NONE",
    )
    graph = helper.make_graph(
        [node],
        "mnist_svc",
        inputs=[helper.make_tensor_value_info(
            "input", TensorProto.FLOAT, ["N", n_features])],
        outputs=[
            helper.make_tensor_value_info("label", TensorProto.INT64, ["N"]),
            helper.make_tensor_value_info(
                "scores", TensorProto.FLOAT, ["N", n_pairs]),
        ],
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", 15),
                       helper.make_opsetid("ai.onnx.ml", 3)],
        producer_name="mls-examples-generate",
        producer_version="1",
    )
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    return model


def make_mnist():
    digits = datasets.load_digits()
    x = digits.images.reshape((len(digits.images), -1))  # 8x8 -> 64
    y = digits.target
    # As in MLServer's notebook: the first half trains, the second tests.
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=0.5, shuffle=False)

    clf = svm.SVC(gamma=0.001)
    clf.fit(x_train, y_train)
    predicted = clf.predict(x_test)
    accuracy = float(np.mean(predicted == y_test))

    out = os.path.join(MODELS, "mnist_sklearn")
    model = svc_to_onnx(clf, x.shape[1])
    with open(os.path.join(out, "model.onnx"), "wb") as f:
        f.write(model.SerializeToString())

    write_json(os.path.join(out, "model-settings.json"), {
        "name": "mnist_sklearn",
        "implementation": "mlserver_sklearn.SKLearnModel",
        "parameters": {"version": "v1.0.0"},
    })
    write_test_set(
        os.path.join(out, "test-set.json"),
        x_test.astype(np.float32),
        predict=[int(v) for v in predicted],
        labels=[int(v) for v in y_test],
        tolerance=0,
    )
    return {
        "train_rows": len(x_train),
        "test_rows": len(x_test),
        "support_vectors": int(clf.support_vectors_.shape[0]),
        "accuracy": accuracy,
    }


# --------------------------------------------------------------------------
# mushroom_xgboost: xgboost on agaricus -> model.json
# --------------------------------------------------------------------------

AGARICUS_FEATURES = 126  # libsvm indices 1..126


def load_agaricus(name):
    x, y = datasets.load_svmlight_file(
        os.path.join(DATA, name), n_features=AGARICUS_FEATURES,
        zero_based=False)
    # Dense, so an absent feature is a 0 (not "missing" as in a sparse
    # DMatrix): that is what a V2 request with a dense tensor carries.
    return x.toarray().astype(np.float32), y.astype(np.int64)


def make_mushroom():
    x_train, y_train = load_agaricus("agaricus.txt.train")
    x_test, y_test = load_agaricus("agaricus.txt.test")

    params = {"max_depth": 2, "eta": 1, "objective": "binary:logistic"}
    bst = xgb.train(params, xgb.DMatrix(x_train, label=y_train),
                    num_boost_round=2)

    out = os.path.join(MODELS, "mushroom_xgboost")
    bst.save_model(os.path.join(out, "model.json"))

    pred = bst.predict(xgb.DMatrix(x_test))  # float32 probabilities
    error = float(np.mean((pred > 0.5).astype(np.int64) != y_test))

    write_json(os.path.join(out, "model-settings.json"), {
        "name": "mushroom_xgboost",
        "implementation": "mlserver_xgboost.XGBoostModel",
        "parameters": {"uri": "./model.json", "version": "v2.0.0"},
    })
    write_test_set(
        os.path.join(out, "test-set.json"),
        x_test,
        predict=[float(v) for v in pred],
        labels=[int(v) for v in y_test],
        tolerance=1e-6,
    )

    # Missing values: 200 test rows with ~20% of the entries set to NaN,
    # sent as JSON null; xgboost routes them by each node's default branch.
    rng = np.random.default_rng(0)
    x_miss = x_test[:200].copy()
    x_miss[rng.random(x_miss.shape) < 0.2] = np.nan
    pred_miss = bst.predict(xgb.DMatrix(x_miss, missing=np.nan))
    write_test_set(
        os.path.join(out, "test-set-missing.json"),
        x_miss,
        predict=[float(v) for v in pred_miss],
        labels=[int(v) for v in y_test[:200]],
        tolerance=1e-6,
    )
    return {
        "train_rows": len(x_train),
        "test_rows": len(x_test),
        "features": AGARICUS_FEATURES,
        "test_error": error,
        "missing_fraction": float(np.isnan(x_miss).mean()),
    }


def main():
    mnist = make_mnist()
    mushroom = make_mushroom()
    print(f"mnist_sklearn: {mnist['train_rows']} train / {mnist['test_rows']}"
          f" test rows, {mnist['support_vectors']} support vectors,"
          f" test accuracy {mnist['accuracy']:.4f}")
    print(f"mushroom_xgboost: {mushroom['train_rows']} train /"
          f" {mushroom['test_rows']} test rows, {mushroom['features']}"
          f" features, test error {mushroom['test_error']:.4f},"
          f" missing-set fraction {mushroom['missing_fraction']:.3f}")
    for root, _, files in sorted(os.walk(MODELS)):
        for name in sorted(files):
            path = os.path.join(root, name)
            print(f"{os.path.getsize(path):>9}  {os.path.relpath(path, EXAMPLE)}")


if __name__ == "__main__":
    main()
