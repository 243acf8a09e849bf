// cxx_exceptions_lib.cpp - uninstrumented C++ (plain clang-19) for
// cxx_exceptions.cpp: one function that throws and catches inside itself, one
// whose exception leaves it.
#include <stdexcept>
#include <string>

extern "C" int plain_throw_and_catch(int n)
{
    try {
        if (n >= 0)
            throw std::runtime_error("inside " + std::to_string(n));
    } catch (const std::runtime_error &e) {
        return n + static_cast<int>(std::string(e.what()).size() > 0);
    }
    return -1;
}

extern "C" int plain_throw(int n)
{
    if (n >= 0)
        throw std::out_of_range("leaves plain_throw");
    return n;
}
