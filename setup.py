"""The package list: elections/ and its subpackages, plus templates/ as elections.templates.

pyproject.toml holds everything else; a find rule there cannot add a folder from outside
elections/, so the list is made here.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["elections", "elections.*"]), "elections.templates"],
    package_dir={"elections.templates": "templates"},
)
