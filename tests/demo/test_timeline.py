"""The demo's printed timeline: timestamped lines, a progress line on terminals only, the summary."""

import io

from doover.demo._timeline import Timeline, format_summary


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_plain_output_is_timestamped_lines_with_no_progress_and_no_ansi():
    out, clock = io.StringIO(), Clock()
    timeline = Timeline(out, tty=False, clock=clock)
    timeline.progress("reading 1/8")
    clock.now = 101.234
    timeline.event("emulator up")
    timeline.say("a plain line")
    clock.now = 112.5
    timeline.event("done")
    timeline.clear_progress()
    assert out.getvalue() == "  1.23s  emulator up\na plain line\n 12.50s  done\n"
    assert [(round(when, 3), text) for when, text in timeline.events] == [(1.234, "emulator up"), (12.5, "done")]


def test_a_terminal_gets_one_progress_line_redrawn_under_the_timeline():
    out, clock = io.StringIO(), Clock()
    timeline = Timeline(out, tty=True, clock=clock)
    timeline.progress("reading 1/8")
    timeline.progress("reading 1/8")  # unchanged: nothing written
    clock.now = 100.5
    timeline.event("outage")
    timeline.progress("reading 2/8")
    timeline.clear_progress()
    timeline.say("summary")
    assert out.getvalue() == (
        "\r\x1b[Kreading 1/8"
        "\r\x1b[K  0.50s  outage\nreading 1/8"
        "\r\x1b[Kreading 2/8"
        "\r\x1b[K"
        "summary\n"
    )


def test_a_stream_without_isatty_counts_as_not_a_terminal():
    class Sink:
        def __init__(self):
            self.text = ""

        def write(self, text):
            self.text += text

        def flush(self):
            pass

    assert Timeline(Sink()).tty is False
    assert Timeline(io.StringIO()).tty is False


def test_summary_rows_are_aligned_under_a_heading():
    assert format_summary([("messages sent", "8"), ("notifications", "2 (crossings)")]) == [
        "summary",
        "  messages sent: 8",
        "  notifications: 2 (crossings)",
    ]


def test_a_reader_that_goes_away_stops_the_output_quietly_and_says_so_once():
    class ClosedPipe(io.StringIO):
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

    calls = []
    timeline = Timeline(ClosedPipe(), tty=False, on_closed=lambda: calls.append(1))
    timeline.event("emulator up")
    timeline.say("more")
    timeline.event("and more")
    assert timeline.closed is True and calls == [1]
    assert [text for _, text in timeline.events] == ["emulator up", "and more"]
