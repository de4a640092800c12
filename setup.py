"""Build of corpus-sieve's optional C extensions (the metadata is in pyproject.toml).

The top-level folders ``filters/``, ``pipeline/`` and ``audits/`` install as
``corpus_sieve.filters``, ``corpus_sieve.pipeline`` and ``corpus_sieve.audits``
(:func:`packages`): PyPI already has distributions named ``filters``, ``pipeline``
and ``audits``, so nothing of ours lands at the top of ``site-packages`` but
``corpus_sieve``.

The compiled speed-ups of the HTML extraction (``filters/html/*.pyx``):

* ``_walk.pyx``: jusText's paragraph walk, compiled against lxml's C API
  (lxml's bundled headers);
* ``_rawcut.pyx``: the raw-block cut of web pages (scripts, styles, comments...);
* ``_attrstrip.pyx``: start tags without the attributes nobody reads, for libxml2's parse.

All three are optional: without Cython or a C compiler, or when a build fails, the
install goes on and the pure-Python code they speed up runs, with the same
output (``filters/html/paragraphs.py``, ``parse.py``, ``content_region.py``).
"""

import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


class OptionalBuildExt(build_ext):
    """``build_ext`` that lets an extension fail: its pure-Python code runs instead.

    ``Extension(optional=True)`` alone is not enough: some setuptools versions
    raise a failed compiler command as a ``CalledProcessError``, which the
    optional-extension handling does not catch, and an editable install then
    copies the missing library and stops. Here a failed extension is reported
    and dropped from the build's outputs.
    """

    def build_extensions(self) -> None:
        self.check_extensions_list(self.extensions)
        built = []
        for ext in self.extensions:
            try:
                self.build_extension(ext)
            except Exception as error:  # no compiler, missing headers...: the Python code runs
                print(f"corpus-sieve: {ext.name} was not compiled ({error}); its pure-Python code will run",
                      file=sys.stderr)
            else:
                built.append(ext)
        self.extensions = built


#: the folders our users asked for at the top of the repository, and their installed names
TOP_FOLDERS = ("filters", "pipeline", "audits")
NAMESPACE = "corpus_sieve"


def packages(root: Path = Path(__file__).resolve().parent) -> tuple[list[str], dict[str, str]]:
    """Every package under the top folders, named inside ``corpus_sieve``, and where each one lives.

    ``corpus_sieve`` itself is a namespace package (no ``__init__.py``): it holds
    the three packages and nothing else.
    """
    names: list[str] = []
    package_dir: dict[str, str] = {}
    for top in TOP_FOLDERS:
        for init in sorted((root / top).rglob("__init__.py")):
            folder = init.parent.relative_to(root)
            name = ".".join((NAMESPACE, *folder.parts))
            names.append(name)
            package_dir[name] = folder.as_posix()
    return names, package_dir


def optional_extensions() -> list:
    try:
        import lxml
        from Cython.Build import cythonize
    except ImportError:
        return []
    try:
        return cythonize(
            [
                Extension("corpus_sieve.filters.html._walk", ["filters/html/_walk.pyx"], include_dirs=lxml.get_include(), optional=True),
                Extension("corpus_sieve.filters.html._rawcut", ["filters/html/_rawcut.pyx"], optional=True),
                Extension("corpus_sieve.filters.html._attrstrip", ["filters/html/_attrstrip.pyx"], optional=True),
            ],
            compiler_directives={"language_level": 3},
            quiet=True,
        )
    except Exception as error:  # nothing compiled: the Python code runs
        print(f"corpus-sieve: filters/html/*.pyx not compiled ({error}); their pure-Python code will run", file=sys.stderr)
        return []


if __name__ == "__main__":  # pip's build backend runs this file as __main__; tests import it
    names, package_dir = packages()
    setup(packages=names, package_dir=package_dir, ext_modules=optional_extensions(),
          cmdclass={"build_ext": OptionalBuildExt})
