"""training.quantize: static int8 models compute what ONNX Runtime's integer operators compute, and export
as the QDQ form its optimizer fuses (QLinearConv, QLinearAdd)."""
import os
import tempfile
import unittest

import numpy as np
import onnx
import torch
from onnx import numpy_helper

from training import compress, quantize
from training.export import export_graph
from training.lungs.unet import UNet
from training.model import Classifier, standard_scale


def calibrated(net, size, seed=0):
    torch.manual_seed(seed)
    net.train()
    with torch.no_grad():  # non-trivial BatchNorm statistics
        for _ in range(2):
            net(torch.rand(4, 1, size, size) * 255)
    compress.quantize_weights_(net)
    g = torch.Generator().manual_seed(seed)
    return quantize.calibrate_(net, [torch.randint(0, 256, (4, 1, size, size), generator=g).float() for _ in range(2)])


class StandardScaleTest(unittest.TestCase):
    def test_exact_for_whole_pixels_in_any_order(self):
        g = torch.Generator().manual_seed(1)
        x = torch.randint(0, 256, (3, 1, 256, 256), generator=g).float()
        x[0] = 255  # the largest sums: every partial sum must stay below 2^24
        m, s = standard_scale(x)
        d = x.double()
        m64 = d.sum(dim=(1, 2, 3)) / d[0].numel()
        var64 = (d * d).sum(dim=(1, 2, 3)) / d[0].numel() - m64 * m64
        np.testing.assert_array_equal(m.flatten().numpy(), m64.float().numpy())
        np.testing.assert_allclose(s.flatten().numpy(), torch.sqrt(var64 + 1).float().numpy(), rtol=1e-5)
        flipped = x.flip(2).flip(3)  # another summation order: the same bits
        m2, s2 = standard_scale(flipped)
        self.assertTrue(torch.equal(m, m2) and torch.equal(s, s2))


class StaticInt8Test(unittest.TestCase):
    def test_classifier_levels_and_emulation(self):
        clf = calibrated(Classifier(fine_cam=True), 224)
        quantizers = [getattr(p, n) for p, n in quantize.slots(clf)]
        self.assertTrue(all(isinstance(q, quantize.ActQuant) for q in quantizers))
        after_relu = [q for q in quantizers if q is clf.backbone.q_stem or q is clf.backbone.layers[0].qo]
        self.assertTrue(all(int(q.zero_point) == 0 for q in after_relu))  # ONNX Runtime drops the ReLU
        self.assertGreater(len(quantize.integer_convs(clf)), 15)  # every conv between two quantizers
        x = torch.randint(0, 256, (2, 1, 224, 224)).float()
        outs = []
        for q in quantizers:
            q.register_forward_hook(lambda m, i, o: outs.append((m, o)))
        with torch.no_grad():
            exact = clf(x)
        for q, o in outs:  # every activation lies on its quantizer's levels
            levels = o / q.scale
            self.assertLess((levels - levels.round()).abs().max().item(), 1e-3)
            self.assertGreaterEqual(levels.round().min().item() + int(q.zero_point), 0)
            self.assertLessEqual(levels.round().max().item() + int(q.zero_point), 255)
        with torch.no_grad():  # the integer emulation and plain fake quantization agree but for rounding
            for q in quantizers:
                q.after = None
            fake = clf(x)
        self.assertLess((exact - fake).abs().max().item(), 0.5)

    def test_export_is_the_fusable_qdq_form(self):
        clf = calibrated(Classifier(fine_cam=True), 224)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "m.onnx")
            export_graph(clf, torch.rand(1, 1, 224, 224) * 255, path, ["logits"])
            g = onnx.load(path).graph
        ops = [n.op_type for n in g.node]
        self.assertEqual(ops.count("QuantizeLinear"), len(quantize.slots(clf)))
        self.assertNotIn("Identity", ops)
        inits = {i.name: numpy_helper.to_array(i) for i in g.initializer}
        made_by = {o: n for n in g.node for o in n.output}
        convs = [n for n in g.node if n.op_type == "Conv"]
        self.assertEqual(len(convs), 20)
        for conv in convs:  # input, weight and bias each from a DequantizeLinear of int8/int32 levels
            sources = [made_by.get(i) for i in conv.input]
            self.assertTrue(all(s is not None and s.op_type == "DequantizeLinear" for s in sources), conv.name)
            self.assertEqual(inits[sources[1].input[0]].dtype, np.int8)
            self.assertEqual(inits[sources[2].input[0]].dtype, np.int32)
        for n in g.node:  # each activation's DequantizeLinear feeds one node
            if n.op_type == "DequantizeLinear" and n.input[0] not in inits:
                users = [u for u in g.node if n.output[0] in u.input]
                self.assertLessEqual(len(users), 1, n.name)

    def test_reloaded_model_computes_the_same(self):
        net = calibrated(UNet(), 256)
        x = torch.randint(0, 256, (1, 1, 256, 256)).float()
        with torch.no_grad():
            before = net(x)
        again = compress.load_state_(UNet(), net.state_dict()).eval()
        with torch.no_grad():
            self.assertTrue(torch.equal(again(x), before))

    def test_exact_upsampling_is_bilinear(self):
        x = torch.rand(1, 3, 16, 16)
        torch.testing.assert_close(quantize.upsample2x(x, exact=True), quantize.upsample2x(x), atol=1e-5, rtol=1e-5)


if __name__ == "__main__":
    unittest.main()
