"""Build of corpus-sieve's optional C extensions (the metadata is in pyproject.toml).

* ``filters/_walk.pyx``: jusText's paragraph walk, compiled against lxml's C API
  (lxml's bundled headers);
* ``filters/_rawcut.pyx``: the raw-block cut of web pages (scripts, styles, comments...);
* ``filters/_attrstrip.pyx``: start tags without the attributes nobody reads, for libxml2's parse.

All three are optional: without Cython or a C compiler, or when a build fails, the
install goes on and the pure-Python code they speed up runs, with the same
output (``filters/_paragraphs.py``, ``filters/_html.py``, ``filters/extract_main.py``).
"""

import sys

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


def optional_extensions() -> list:
    try:
        import lxml
        from Cython.Build import cythonize
    except ImportError:
        return []
    try:
        return cythonize(
            [
                Extension("filters._walk", ["filters/_walk.pyx"], include_dirs=lxml.get_include(), optional=True),
                Extension("filters._rawcut", ["filters/_rawcut.pyx"], optional=True),
                Extension("filters._attrstrip", ["filters/_attrstrip.pyx"], optional=True),
            ],
            compiler_directives={"language_level": 3},
            quiet=True,
        )
    except Exception as error:  # nothing compiled: the Python code runs
        print(f"corpus-sieve: filters/*.pyx not compiled ({error}); their pure-Python code will run", file=sys.stderr)
        return []


if __name__ == "__main__":  # pip's build backend runs this file as __main__; tests import it
    setup(ext_modules=optional_extensions(), cmdclass={"build_ext": OptionalBuildExt})
