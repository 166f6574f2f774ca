"""msdseg: 3D medical image segmentation on the Medical Segmentation Decathlon with Keras 3."""
__version__ = "0.1.0"

# Before anything imports TensorFlow: its oneDNN CPU kernels on every x86 CPU (about 3x faster
# Conv3D training on AVX2-only CPUs), unless the user set TF_ENABLE_ONEDNN_OPTS. See nbs/00_utils.
from .utils import default_onednn as _default_onednn
_default_onednn()
