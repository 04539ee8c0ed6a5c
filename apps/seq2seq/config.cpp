// `seq2seq config show|validate`: print resolved configs and check config files (and their corpora).
#include "commands.h"

#include "seq2seq/config/config.h"
#include "seq2seq/data/corpus.h"

#include <iostream>

namespace seq2seq::cli {

Command add_config(CLI::App& root) {
  auto* app = root.add_subcommand("config", "Show resolved configs and validate config files");
  app->require_subcommand(1);

  auto* show = app->add_subcommand(
      "show", "Print the resolved config (its \"extends\" chain merged, every default written out)");
  auto show_file = std::make_shared<std::string>();
  auto overrides = std::make_shared<std::vector<std::string>>();
  show->add_option("file", *show_file, "Config file (JSON)")->required();
  add_set_option(*show, *overrides);

  auto* check = app->add_subcommand("validate", "Check config files; exit 2 on the first bad one");
  auto files = std::make_shared<std::vector<std::string>>();
  auto with_data = std::make_shared<bool>(false);
  check->add_option("files", *files, "Config files (JSON)")->required();
  check->add_flag("--data", *with_data,
                  "Also read every corpus each config names (data.train, data.valid, data.test) as train does "
                  "before its first step");

  return {app, [=] {
            if (show->parsed()) {
              Config config = load_config(*show_file, *overrides);
              std::cout << nlohmann::json(config).dump(2) << "\n";
              return 0;
            }
            for (const auto& file : *files) {
              const Config config = load_config(file);
              if (*with_data) data::check_corpora(config.data, file);
              std::cout << file << ": ok\n";
            }
            return 0;
          }};
}

}  // namespace seq2seq::cli
