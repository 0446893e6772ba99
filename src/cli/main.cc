// The riskradar command line: one executable, one subcommand per pipeline stage.
#include <CLI/CLI.hpp>

#include <iostream>

int main(int argc, char** argv) {
  CLI::App app{"riskradar: multi-agency child-exploitation safeguarding"};
  app.require_subcommand(1);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
