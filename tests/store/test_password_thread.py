"""Argon2 runs in a thread of its own at a lower priority than the app's requests (issue #15): a sign-in costs
about 0.1 s of every core, and an officer's save that starts meanwhile must not wait for the CPU. The answers
stay the same: the right password passes, a wrong one and an unknown user fail after the same work."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from dossiers import users


def test_a_password_is_checked_in_the_argon2_thread_at_a_lower_priority():
    seen = {}

    def probe():
        seen["thread"] = threading.current_thread().name
        seen["nice"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    users._in_hash_thread(probe)
    assert seen["thread"].startswith("argon2")
    if sys.platform.startswith("linux"):
        ours = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        assert seen["nice"] == min(19, ours + users.HASH_NICENESS)


@pytest.mark.parametrize("password, expected", [("mật khẩu đúng", True), ("sai", False)])
def test_the_answers_do_not_change(password, expected):
    hashed = users.new_password_hash("mật khẩu đúng")
    assert users.verify_password(hashed, password) is expected
    assert users.verify_password(None, password) is False  # an unknown user: the dummy hash, then False
    assert users.verify_password("not a hash", password) is False


def test_errors_of_the_hash_reach_the_caller():
    with pytest.raises(ValueError):
        users._in_hash_thread(int, "not a number")
