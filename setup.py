"""Packaging for msdseg. All metadata lives in settings.ini (nbdev 2); this file only reads it."""
from configparser import ConfigParser

import setuptools
from packaging.version import parse

assert parse(setuptools.__version__) >= parse("36.2")

config = ConfigParser(delimiters=["="])
config.read("settings.ini", encoding="utf-8")
cfg = config["DEFAULT"]

for key in ("version", "description", "keywords", "author", "author_email"):
    if key not in cfg:
        raise ValueError(f"settings.ini is missing the key {key!r}")

licenses = {"apache2": ("Apache Software License 2.0", "OSI Approved :: Apache Software License")}
statuses = ["Pre-Alpha", "Alpha", "Beta", "Production/Stable", "Mature", "Inactive"]
py_versions = "3.10 3.11 3.12 3.13".split()

lic = licenses[cfg["license"].lower()]
min_python = cfg["min_python"]
requirements = cfg.get("requirements", "").split()
extras = {  # every `<name>_requirements` key of settings.ini is an extra: msdseg[cpu], msdseg[jax], ...
    key[: -len("_requirements")]: cfg.get(key, "").split()
    for key in cfg if key.endswith("_requirements") and key != "requirements"
}
extras["all"] = sorted(set(extras["cpu"] + extras["viz"]))

setuptools.setup(
    name=cfg["lib_name"],
    license=lic[0],
    classifiers=[
        "Development Status :: " + cfg["status"] + " - " + statuses[int(cfg["status"])],
        "Intended Audience :: " + cfg["audience"],
        "License :: " + lic[1],
        "Natural Language :: " + cfg["language"],
        "Topic :: Scientific/Engineering :: Medical Science Apps.",
        "Topic :: Scientific/Engineering :: Image Processing",
    ]
    + [f"Programming Language :: Python :: {v}" for v in py_versions[py_versions.index(min_python):]],
    url=cfg["git_url"],
    packages=setuptools.find_packages(include=["msdseg", "msdseg.*"]),
    include_package_data=True,
    package_data={"msdseg": ["configs/*/*.yaml"]},
    install_requires=requirements,
    extras_require=extras,
    python_requires=">=" + min_python,
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    zip_safe=False,
    entry_points={
        "console_scripts": cfg.get("console_scripts", "").split(),
        "nbdev": [f"{cfg['lib_path']}={cfg['lib_path']}._modidx:d"],
    },
    version=cfg["version"],
    description=cfg["description"],
    author=cfg["author"],
    author_email=cfg["author_email"],
    keywords=cfg["keywords"],
)
