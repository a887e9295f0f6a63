"""Administrators find users, change roles and disable accounts; nobody else can."""

from __future__ import annotations

from flask import Flask

from tests.conftest import login, register, submit

PASSWORD = "correct horse battery"


def admin_client(app: Flask):
    app.test_cli_runner().invoke(args=["course", "create-user", "root@example.com", "--role",
                                       "admin", "--name", "Ada Admin"], input=PASSWORD + "\n")
    client = app.test_client()
    assert login(client, "root@example.com", PASSWORD).status_code == 302
    return client


def test_only_administrators_see_users(standalone_app: Flask) -> None:
    learner = standalone_app.test_client()
    register(learner, email="lea@example.com")
    assert learner.get("/account/users").status_code == 403
    assert "Users" not in learner.get("/catalogue").get_data(as_text=True)
    assert standalone_app.test_client().get("/account/users").status_code == 302
    admin = admin_client(standalone_app)
    html = admin.get("/account/users").get_data(as_text=True)
    assert "lea@example.com" in html and "root@example.com" in html
    assert '<a href="/account/users" aria-current="page">Users</a>' in html


def test_search_and_pagination(standalone_app: Flask) -> None:
    admin = admin_client(standalone_app)
    for i in range(3):
        register(standalone_app.test_client(), email=f"sales{i}@example.com", name=f"Sales {i}")
    html = admin.get("/account/users?q=SALES").get_data(as_text=True)
    assert "3 accounts matching" in html and "root@example.com" not in html
    assert "0 accounts" in admin.get("/account/users?q=%25").get_data(as_text=True)


def test_admin_changes_a_role_and_it_applies(standalone_app: Flask) -> None:
    admin = admin_client(standalone_app)
    register(standalone_app.test_client(), email="tom@example.com", name="Tom")
    response = submit(admin, "/account/users/2", {"role": "trainer", "active": "y"})
    assert response.status_code == 302
    assert "Trainer" in admin.get("/account/users").get_data(as_text=True)


def test_disabling_ends_sessions_and_blocks_login(standalone_app: Flask) -> None:
    admin = admin_client(standalone_app)
    tom = standalone_app.test_client()
    register(tom, email="tom@example.com")
    assert tom.get("/account/").status_code == 200
    submit(admin, "/account/users/2", {"role": "learner"})  # "active" unticked
    assert tom.get("/account/").status_code == 302
    assert login(standalone_app.test_client(), "tom@example.com", PASSWORD).status_code == 401


def test_the_last_administrator_cannot_be_removed(standalone_app: Flask) -> None:
    admin = admin_client(standalone_app)
    response = submit(admin, "/account/users/1", {"role": "learner", "active": "y"})
    assert response.status_code == 400
    assert "last active administrator" in response.get_data(as_text=True)
    assert admin.get("/account/users").status_code == 200


def test_unknown_user_is_not_found(standalone_app: Flask) -> None:
    assert admin_client(standalone_app).get("/account/users/999").status_code == 404
