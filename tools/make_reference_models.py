"""Reference models for tools/bench.mjs, with random weights (only their speed matters):

- vgg16_tutorial.onnx: VGG16 with the original tutorial's head (AveragePooling 4x4, Flatten,
  Dense 64 ReLU, Dropout, Dense 2 softmax), input [1,3,224,224];
- densenet121_1ch.onnx: DenseNet-121 with one input channel and 18 outputs (the Chester /
  torchxrayvision shape), input [1,1,224,224].

Usage: /usr/bin/python3 tools/make_reference_models.py OUT_DIR
"""
import pathlib
import sys

import torch
from torch import nn
from torchvision import models


def vgg16_tutorial() -> nn.Module:
    return nn.Sequential(
        models.vgg16().features, nn.AvgPool2d(4), nn.Flatten(),
        nn.Linear(512, 64), nn.ReLU(), nn.Dropout(0.5), nn.Linear(64, 2), nn.Softmax(dim=1))


def densenet121_1ch() -> nn.Module:
    m = models.densenet121(num_classes=18)
    m.features.conv0 = nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3, bias=False)
    return m


def main(out: str) -> None:
    out_dir = pathlib.Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    for name, model, channels in [("vgg16_tutorial", vgg16_tutorial(), 3), ("densenet121_1ch", densenet121_1ch(), 1)]:
        target = out_dir / f"{name}.onnx"
        if target.exists():
            continue
        model.eval()
        torch.onnx.export(model, torch.zeros(1, channels, 224, 224), str(target), input_names=["input"],
                          output_names=["output"], opset_version=13)


if __name__ == "__main__":
    main(sys.argv[1])
