// Attention matrices drawn in the terminal (shade characters) and as SVG heatmaps with word labels.
#pragma once
#include <string>
#include <vector>

namespace seq2seq::report {

// weights[t][s]: how much target word t attends to source word s (rows usually sum to 1).
// Both renderers scale shading to the matrix's largest weight, so that the strongest alignment
// is always the darkest cell, and say what that weight is. NaN or negative weights count as 0.
// Both throw std::invalid_argument unless there is one row per target word and one column per
// source word.

// Source words across (written vertically above their columns, truncated to 10 characters),
// target words down; each cell is two characters of " ░▒▓█" (light to dark), or with `colour`
// a 256-colour ANSI background from dark grey to white. One line per target word after the
// header, then a line with the scale.
std::string render_attention_text(const std::vector<std::string>& src_words, const std::vector<std::string>& tgt_words,
                                  const std::vector<std::vector<float>>& weights, bool colour = false);

// A standalone SVG: source words across the top (rotated), target words down the left, cells
// shaded white to dark blue with the value in a hover title, and a colour scale.
std::string render_attention_svg(const std::vector<std::string>& src_words, const std::vector<std::string>& tgt_words,
                                 const std::vector<std::vector<float>>& weights,
                                 const std::string& title = "Attention");

}  // namespace seq2seq::report
