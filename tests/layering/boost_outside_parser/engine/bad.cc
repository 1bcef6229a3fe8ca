// An engine file that uses Boost: the layering check must reject it.
#include <boost/spirit/home/x3.hpp>
