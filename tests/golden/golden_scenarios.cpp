#include "golden_scenarios.hpp"

namespace carbontracker::golden {

// 2 s of set-up, then epochs of 10, 11 and 12 s with 0.5 s between them. The prediction comes
// after epoch 1 (epochs_before_pred's default); the run ends by itself after epoch 3.
void complete_run(GoldenMachine& m) {
  Tracker t(m.config(), m.env());
  m.advance_s(2);
  for (int e = 1; e <= 3; ++e) {
    t.epoch_start();
    m.advance_s(9 + e);
    t.epoch_end();
    m.advance_s(0.5);
  }
  t.stop();
}

// stop() 4 s into epoch 2 of 3: one complete epoch, one interrupted.
void stopped_in_epoch_2(GoldenMachine& m) {
  Tracker t(m.config(), m.env());
  m.advance_s(2);
  t.epoch_start();
  m.advance_s(10);
  t.epoch_end();
  m.advance_s(0.5);
  t.epoch_start();
  m.advance_s(4);
  t.stop();
}

// A warn budget of 0.004 kWh: the forecast after epoch 1 exceeds it, and the actual energy
// crosses it in epoch 2; the run carries on to the end.
void warn_budget_crossed(GoldenMachine& m) {
  Config c = m.config();
  c.budget.max_energy_kwh = 0.004;
  c.budget.action = BudgetAction::warn;
  Tracker t(c, m.env());
  m.advance_s(2);
  for (int e = 1; e <= 3; ++e) {
    t.epoch_start();
    m.advance_s(10);
    t.epoch_end();
    m.advance_s(0.5);
  }
  t.stop();
}

}  // namespace carbontracker::golden
