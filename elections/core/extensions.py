"""Flask extensions, created unbound and initialised in the app factory."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from elections.core.db import Base
from elections.core.replica import RoutingSession

db = SQLAlchemy(model_class=Base, session_options={"class_": RoutingSession})
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
