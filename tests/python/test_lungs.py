"""The lung model's pieces: U-Net shapes, export contract, Dice/IoU, joint augmentation."""
import os
import tempfile
import unittest

import numpy as np
import onnx
import torch

from training import compress
from training.augment import augment_lungs as augment
from training.lungs.metrics import dice_iou
from training.lungs.unet import ExportedUNet, UNet


class LungTest(unittest.TestCase):
    def test_dice_and_iou(self):
        a = np.zeros((2, 4, 4), bool)
        b = np.zeros((2, 4, 4), bool)
        a[0, :2], b[0, :1] = True, True  # 8 vs 4 pixels, 4 shared
        d, j = dice_iou(a, b)
        self.assertAlmostEqual(d[0], 2 * 4 / 12)
        self.assertAlmostEqual(j[0], 4 / 8)
        self.assertEqual((d[1], j[1]), (1.0, 1.0))  # both empty

    def test_unet_maps_the_canonical_image_to_a_mask_of_the_same_size(self):
        torch.manual_seed(0)
        net = UNet().eval()
        mask = ExportedUNet(net)(torch.rand(2, 1, 256, 256) * 255)
        self.assertEqual(tuple(mask.shape), (2, 256, 256))
        self.assertTrue(0 <= float(mask.min()) and float(mask.max()) <= 1)
        compress.quantize_weights_(net)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "lungs.onnx")
            torch.onnx.export(ExportedUNet(net), torch.rand(1, 1, 256, 256), path, opset_version=17,
                              input_names=["input"], output_names=["mask"], dynamic_axes={"input": {0: "N"}})
            self.assertGreater(compress.store_int8(path), 5)
            m = onnx.load(path)
            self.assertEqual([o.name for o in m.graph.output], ["mask"])

    def test_augmentation_moves_image_and_mask_together(self):
        x = np.zeros((4, 256, 256), np.uint8)
        y = np.zeros((4, 256, 256), bool)
        x[:, 64:192, 64:128] = 255
        y[:, 64:192, 64:128] = True
        xa, ya = augment(x, y, np.random.default_rng(0))
        self.assertEqual(tuple(xa.shape), (4, 1, 256, 256))
        for i in range(4):  # the bright block and the mask still coincide after the same geometry
            bright = xa[i, 0] > xa[i, 0].mean()
            inter = (bright & (ya[i, 0] > 0.5)).sum().item()
            self.assertGreater(inter / max(1, (ya[i, 0] > 0.5).sum().item()), 0.8)


if __name__ == "__main__":
    unittest.main()
