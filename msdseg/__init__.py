"""msdseg: 3D medical image segmentation on the Medical Segmentation Decathlon with Keras 3."""
__version__ = "0.1.0"
