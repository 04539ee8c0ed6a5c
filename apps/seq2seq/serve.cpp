// `seq2seq serve`: trained runs behind a local HTTP API and the classroom page.
#include "commands.h"

#include "seq2seq/serve/server.h"

#include <memory>

namespace seq2seq::cli {

Command add_serve(CLI::App& root) {
  auto* app = root.add_subcommand(
      "serve", "Serve trained runs over HTTP: a JSON API, LibreTranslate's /translate and a page to try them");
  auto o = std::make_shared<serve::ServeOptions>();
  app->add_option("--run", o->runs, "Run directory; repeat it to serve several (the model name is its directory name)")
      ->required()
      ->allow_extra_args(false);
  add_weights_options(*app, o->checkpoint, o->device);
  app->add_flag(
      "--unverified", o->unverified,
      "Load runs that have lost their state.json, without checking their weights, config.json and vocabularies");
  app->add_option("--host", o->host,
                  "Address to listen on; anything but a loopback address (127.0.0.1, ::1, localhost) opens the "
                  "server to the network, without authentication")
      ->capture_default_str();
  app->add_option("--port", o->port, "TCP port (0: any free port, logged at start)")
      ->check(in_range(0, 65535))
      ->capture_default_str();
  app->add_option("--max-concurrent", o->max_concurrent,
                  "Translation requests at once; more are answered 503 with Retry-After: 1")
      ->check(at_least(1))
      ->capture_default_str();
  app->add_option("--compare", o->compare_dir,
                  "Folder of `seq2seq compare --out` whose bleu_by_length.svg the page shows "
                  "(default: compare/ beside the first run)");
  app->footer(
      "Endpoints (docs/serve.md): GET / (the page), GET /health, GET /api/v1/models, POST /api/v1/translate,\n"
      "POST /translate (LibreTranslate), GET /api/v1/attention-demo, GET /api/v1/bleu-by-length.svg.\n"
      "Limits: 64 KiB bodies, 16 sentences, beam and n_best 1..16, a model's max_source_tokens per sentence.\n"
      "SIGINT (Ctrl-C) or SIGTERM finishes the requests in flight and exits 0.\n"
      "Examples:\n  seq2seq serve --run runs/quick/rnn --run runs/quick/bahdanau --run runs/quick/transformer\n"
      "  curl -s localhost:8080/api/v1/translate -H 'Content-Type: application/json' -d '{\"text\": \"Ein Hund "
      "läuft .\"}'");
  return {app, [o] { return serve::serve(*o); }};
}

}  // namespace seq2seq::cli
