import subprocess
import sys


def test_import_without_transitions_names_the_state_extra():
    code = (
        "import sys\n"
        "sys.modules['transitions'] = None\n"
        "try:\n"
        "    import doover.state\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
        "    print(type(exc.__cause__).__name__)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "doover.state needs the optional 'transitions' package; install the extra: "
        "pip install 'doover-sync[state]'",
        "ModuleNotFoundError",
    ]
