// The C++ API runs of the golden tests (bodies for expect_golden_run), shared with the report
// scenario of golden_cli_test.
#pragma once

#include "golden_machine.hpp"

namespace carbontracker::golden {

void complete_run(GoldenMachine& m);
void stopped_in_epoch_2(GoldenMachine& m);
void warn_budget_crossed(GoldenMachine& m);

}  // namespace carbontracker::golden
