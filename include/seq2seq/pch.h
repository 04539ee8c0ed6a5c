// Precompiled header for the translation units that use LibTorch: the heavy Torch include
// plus everything in pch_light.h. Torch-free sources use pch_light.h instead (src/CMakeLists.txt).
#pragma once
#include "seq2seq/pch_light.h"

#include <torch/torch.h>
