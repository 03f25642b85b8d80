"""training.compress: folding and int8 rounding keep the network's function; the ONNX file shrinks."""
import os
import tempfile
import unittest

import onnx
import torch
from onnx import numpy_helper

from training import compress
from training.model import Classifier


class CompressTest(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(0)
        self.clf = Classifier()
        self.clf.train()
        with torch.no_grad():  # give BatchNorm non-trivial statistics
            for _ in range(3):
                self.clf(torch.rand(4, 1, 224, 224) * 255)
        self.clf.eval()
        self.x = torch.rand(2, 1, 224, 224) * 255

    def test_folding_is_exact(self):
        before = self.clf(self.x)
        self.assertGreater(compress.fold_batchnorm_(self.clf), 10)
        self.assertFalse(any(isinstance(m, torch.nn.BatchNorm2d) for m in self.clf.modules()))
        torch.testing.assert_close(self.clf(self.x), before, atol=1e-3, rtol=1e-4)

    def test_int8_levels_change_little_and_onnx_stores_int8(self):
        before = torch.softmax(self.clf(self.x), 1)
        compress.quantize_weights_(self.clf)
        after = torch.softmax(self.clf(self.x), 1)
        self.assertLess((after - before).abs().max().item(), 0.05)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "m.onnx")
            torch.onnx.export(self.clf, self.x, path, opset_version=17, input_names=["input"], output_names=["logits"])
            size = os.path.getsize(path)
            self.assertGreater(compress.store_int8(path), 10)
            self.assertLess(os.path.getsize(path), size * 0.4)
            m = onnx.load(path)
            int8 = [i for i in m.graph.initializer if numpy_helper.to_array(i).dtype.name == "int8"]
            self.assertTrue(int8)
            self.assertTrue(any(n.op_type == "DequantizeLinear" for n in m.graph.node))


if __name__ == "__main__":
    unittest.main()
