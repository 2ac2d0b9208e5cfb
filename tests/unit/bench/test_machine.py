from __future__ import annotations

from benchmarks.suite.machine import describe_machine, package_versions


def test_describe_machine_reads_cpu_and_memory(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nmodel name\t: Test CPU @ 3.00GHz\nflags\t: fpu\n")
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:       16777216 kB\nMemFree:  1 kB\n")
    machine = describe_machine(cpuinfo, meminfo)
    assert machine["cpu"] == "Test CPU @ 3.00GHz"
    assert machine["memory_gib"] == 16.0
    assert isinstance(machine["logical_cores"], int)
    assert 1 <= machine["usable_cores"] <= machine["logical_cores"]
    assert str(machine["python"]).startswith(("CPython 3.", "PyPy 3."))
    assert machine["os"]


def test_describe_machine_falls_back_without_proc_files(tmp_path):
    machine = describe_machine(tmp_path / "missing", tmp_path / "missing")
    assert machine["cpu"]
    assert machine["memory_gib"] is None or machine["memory_gib"] > 0


def test_package_versions():
    versions = package_versions(("pyarrow", "surely-not-installed-dchkit-xyz"))
    assert versions["pyarrow"]
    assert versions["surely-not-installed-dchkit-xyz"] is None
