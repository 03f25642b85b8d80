"""Overlap of binary masks."""
import numpy as np


def dice_iou(pred, truth):
    """Per-image Dice and IoU of bool arrays [n,h,w] (1.0 where both are empty)."""
    p = pred.reshape(len(pred), -1)
    t = truth.reshape(len(truth), -1)
    inter = (p & t).sum(1).astype(np.float64)
    ps, ts = p.sum(1), t.sum(1)
    union = ps + ts - inter
    dice = np.where(ps + ts > 0, 2 * inter / np.maximum(ps + ts, 1), 1.0)
    iou = np.where(union > 0, inter / np.maximum(union, 1), 1.0)
    return dice, iou
