"""A host application that manages its own tables with Flask-Migrate, written the way the
Flask-Migrate documentation shows, with no line about the course plugin's tables: the plugin
has to keep itself out of the host's `flask db migrate` on its own.

`flask --app tests.hostapp.migrating ...` reads HOST_DATABASE_URL; HOST_MIGRATE_ORDER says whether
Flask-Migrate is set up `before` (the default) or `after` the plugin.
"""

from __future__ import annotations

import os

from flask import Flask
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from course import CoursePlugin


class ShopBase(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=ShopBase)
migrate = Migrate()


class Order(db.Model):
    __tablename__ = "shop_order"
    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)


def create_app() -> Flask:
    app = Flask(__name__)
    app.config.update(SECRET_KEY="shop-secret-" + "s" * 40, TESTING=True,
                      SQLALCHEMY_DATABASE_URI=os.environ["HOST_DATABASE_URL"])
    db.init_app(app)
    LoginManager(app)
    after = os.environ.get("HOST_MIGRATE_ORDER") == "after"
    if not after:
        migrate.init_app(app, db)
    CoursePlugin(app, url_prefix="/training", db=db)
    if after:
        migrate.init_app(app, db)
    return app
