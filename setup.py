"""Build of corpus-sieve's optional C extensions (the metadata is in pyproject.toml).

* ``filters/_walk.pyx``: jusText's paragraph walk, compiled against lxml's C API
  (lxml's bundled headers);
* ``filters/_rawcut.pyx``: the raw-block cut of web pages (scripts, styles, comments...);
* ``filters/_attrstrip.pyx``: start tags without attributes, for plain jusText's parse.

Both are optional: without Cython or a C compiler, or when a build fails, the
install goes on and the pure-Python code they speed up runs, with the same
output (``filters/_paragraphs.py``, ``filters/_html.py``).
"""

from setuptools import Extension, setup


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
    except Exception as error:  # no C walk: the Python one runs
        print(f"corpus-sieve: filters/_walk.pyx not compiled ({error}); the pure-Python walk will be used")
        return []


setup(ext_modules=optional_extensions())
