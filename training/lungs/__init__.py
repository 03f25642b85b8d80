"""Lung segmentation: the U-Net that outlines both lungs on the canonical 256x256 image."""
