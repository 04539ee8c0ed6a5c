// Precompiled header for the translation units that do not touch LibTorch: the JSON and
// logging libraries and the standard headers. Loading the Torch header costs every
// translation unit about 8 s of deferred template work (GCC), so torch-free code stays off it.
#pragma once
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>
