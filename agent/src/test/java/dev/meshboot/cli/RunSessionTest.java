package dev.meshboot.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunSessionTest {

  @Test
  void closesWhatItOwnsNewestFirstAndGoesOnPastAFailure() {
    List<String> closed = new ArrayList<>();
    RunSession session = new RunSession();
    session.own("event loop", () -> closed.add("event loop"));
    session.own(
        "reaper",
        () -> {
          closed.add("reaper");
          throw new IllegalStateException("stuck");
        });
    session.own("relay", () -> closed.add("relay"));
    session.close();
    assertThat(closed).containsExactly("relay", "reaper", "event loop");
    assertThat(session.state()).isEqualTo(RunSession.State.STOPPED);
    session.close();
    assertThat(closed).as("closed once").hasSize(3);
  }

  @Test
  void aStopWhileStartingReachesWhatStartsAfterIt() {
    RunSession session = new RunSession();
    assertThat(session.state()).isEqualTo(RunSession.State.STARTING);
    session.requestStop();
    assertThat(session.state()).isEqualTo(RunSession.State.DRAINING);
    List<String> told = new ArrayList<>();
    session.onStop(() -> told.add("supervisor"));
    assertThat(told).as("told at once").containsExactly("supervisor");
    session.running();
    assertThat(session.state()).as("never back to running").isEqualTo(RunSession.State.DRAINING);
  }

  @Test
  void everyStopRequestIsPassedOnAndTheStateOnlyMovesForward() {
    RunSession session = new RunSession();
    List<String> told = new ArrayList<>();
    session.onStop(() -> told.add("stop"));
    session.running();
    assertThat(session.state()).isEqualTo(RunSession.State.RUNNING);
    session.requestStop();
    session.requestStop();
    assertThat(told).as("the second request kills without draining").hasSize(2);
    assertThat(session.state()).isEqualTo(RunSession.State.DRAINING);
    session.close();
    session.requestStop();
    assertThat(session.state()).isEqualTo(RunSession.State.STOPPED);
  }

  @Test
  void aClosedSessionClosesWhatItIsGivenAndRefusesIt() {
    RunSession session = new RunSession();
    session.close();
    List<String> closed = new ArrayList<>();
    assertThatThrownBy(() -> session.own("relay", () -> closed.add("relay")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("relay not started");
    assertThat(closed).containsExactly("relay");
  }
}
